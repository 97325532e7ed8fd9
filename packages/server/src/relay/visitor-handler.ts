import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ClientMessage, ClientMessageOf } from '@samepage/protocol';
import { isOriginAllowed } from '../http/origin.ts';
import type { Peer } from './peer.ts';
import { siteTheme, type MessageHandler, type Relay } from './relay.ts';

/** The loader's light presence socket: lists the tab for agents and carries co-browse requests. */
export class VisitorHandler implements MessageHandler {
  private visitorId: string | null = null;

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    private readonly req: IncomingMessage,
    private readonly log: Logger,
  ) {}

  start(hello: ClientMessageOf<'visitor_hello'>): void {
    this.relay.deps.store
      .findSiteByKey(hello.siteKey)
      .then((site) => {
        if (!site) return this.peer.fail('unknown_site_key');
        if (!isOriginAllowed(this.peer.origin, site.allowedOrigins, this.req, this.relay.deps.config.trustProxy)) return this.peer.fail('origin_not_allowed');
        if (this.peer.closed) return;
        return this.relay.availability.isOnline(site.tenantId).then((agentsOnline) => {
          if (this.peer.closed) return;
          this.visitorId = this.relay.visitors.add(this.peer, site.tenantId, { id: site.id, name: site.name }, hello.page, hello.identity);
          this.relay.availability.watch(this.peer, site.tenantId, agentsOnline);
          this.peer.sendMessage({ type: 'welcome', v: 1, connId: this.peer.connId, agentsOnline, ...siteTheme(site) });
        });
      })
      .catch((err: unknown) => {
        this.log.error({ err }, 'visitor hello failed');
        this.peer.fail('database_unavailable');
      });
  }

  onMessage(message: ClientMessage): void {
    if (!this.visitorId) return this.peer.fail('unexpected_message', 'Wait for the welcome.');
    if (message.type === 'visitor_update') return this.relay.visitors.update(this.visitorId, { identity: message.identity, page: message.page });
    if (message.type === 'cobrowse_answer') {
      if (!this.relay.visitors.answer(this.peer, message.requestId, message.accepted)) this.peer.fail('not_found', 'That request has expired.');
      return;
    }
    this.peer.fail('unexpected_message', `A presence socket may not send ${message.type}.`);
  }

  onBinary(): void {
    this.peer.fail('unexpected_message', 'Presence sockets do not send DOM frames.');
  }

  onClose(): void {
    this.relay.availability.unwatch(this.peer);
    if (this.visitorId) this.relay.visitors.remove(this.visitorId);
  }
}
