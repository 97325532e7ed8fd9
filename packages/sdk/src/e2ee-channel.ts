/**
 * The customer's end of an end-to-end encrypted session (docs/E2EE.md, "Integration"), built
 * into e2ee.js. It seals the DOM stream and the customer's chat under the epoch's group key,
 * runs the pairings and the key schedule (e2ee-pairings.ts, e2ee-keys.ts), opens what agents
 * send (chat, control, vouches) and hands it to the collaboration features as if the server had
 * sent it in the clear.
 *
 * Control is checked here again after decrypting: a `ctl` runs only when it opened under the
 * pairwise key of a verified agent AND that agent is the one the customer gave control to, by
 * the customer's own answer in this tab (not by what the server says). Anything else is refused.
 */
import { E2EE_CUSTOMER, E2EE_TO_GROUP, decodeAppBody, decodeE2eeHeader, decodePairFrame, encodeAppBody, type E2eeHeader, type OpenResult } from '@samepage/protocol/e2ee';
import type { ChatMessage, Participant } from '@samepage/protocol';
import type { E2eeChannel, E2eeContext } from './e2ee-types.ts';
import { CustomerKeys } from './e2ee-keys.ts';
import { CustomerPairings } from './e2ee-pairings.ts';
import { createOutbox } from './e2ee-outbox.ts';
import { createE2eeDialogs } from './e2ee-dialog.ts';
import { createRecordingKeyUploader } from './e2ee-recording.ts';
import { e2eeTexts, type E2eeTextKey } from './i18n/e2ee.ts';
import { forgetSession, loadLinks, readGrant, readHighWater, saveLink, dropLinks, writeGrant, writeHighWater } from './e2ee-storage.ts';

/** How often the 10-minute rotation is checked. */
const ROTATION_CHECK_MS = 30_000;
const HOST_ID = 'host';
/** The keyframe bit of a DOM frame's flags (protocol dom-frame.ts FLAG_KEYFRAME; e2ee-channel.test.ts checks they match). */
export const DOM_KEYFRAME_FLAG = 0x01;

/**
 * @example
 *   const channel = createE2eeChannel({ host, sessionId, serverEpoch, sendBinary, send, deliver, participants, takeKeyframe, widget });
 *   sink.send = (frame) => channel.sealDom(frame);
 */
export function createE2eeChannel(ctx: E2eeContext): E2eeChannel {
  const { host, sessionId } = ctx;
  const report = (error: unknown): void => host.report(error);
  const defaults = e2eeTexts(host.config.lang);
  host.addTexts?.(defaults);
  const tx = (key: E2eeTextKey, vars: Record<string, string> = {}): string =>
    (host.texts?.[key] || defaults[key]).replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);

  let stopped = false;
  let granted = readGrant(sessionId);
  let chatSeq = 0;
  const outbox = createOutbox((frame) => void ctx.sendBinary(frame), report);
  // Recorded sessions: each epoch secret wrapped to the tenant's recording key (e2ee-recording.ts).
  const policy = host.snapshot().policy;
  const recording = policy?.recorded && policy.recordingKey ? createRecordingKeyUploader({ sessionId, publicKey: policy.recordingKey, send: ctx.send, report }) : null;
  const keys = new CustomerKeys({
    sessionId,
    outbox,
    onSecret: (epoch) => recording?.add(epoch),
    onEpoch: (epoch) => {
      writeHighWater(sessionId, epoch);
      ctx.takeKeyframe();
    },
    report,
  });
  const dialogs = createE2eeDialogs(host, ctx.widget, tx);
  const agents = (): Participant[] => ctx.participants().filter((p) => p.role === 'agent' && p.member !== undefined);
  const agentOf = (member: number): Participant | undefined => agents().find((p) => p.member === member);
  const byId = (id: string): Participant | undefined => agents().find((p) => p.id === id);
  const setGrant = (participantId: string | null): void => {
    granted = participantId;
    writeGrant(sessionId, participantId);
  };

  const pairings = new CustomerPairings({
    sessionId,
    agentOf,
    // Above every epoch the relay has seen, so a pair stream never reuses an epoch of a page load before.
    epoch: () => Math.max(keys.lastEpoch, (ctx.serverEpoch ?? -1) + 1),
    sendFrame: (frame) => outbox.push(Promise.resolve(frame), 0),
    ask(agent, code) {
      host.emit('e2ee_verify', { participantId: agent.id, name: agent.name, code });
      dialogs.ask(agent.id, agent.name, code)?.then((matches) => channel.confirmAgent(agent.id, matches), report);
    },
    verified(agent, link, voucher) {
      dialogs.dismiss(agent.id);
      if (!keys.addAgent(link)) return;
      void saveLink({ sessionId, member: link.agent, participantId: agent.id, link, savedAt: Date.now() }).catch(() => undefined);
      host.emit('e2ee_state', { participantId: agent.id, name: agent.name, state: 'verified', ...(voucher ? { voucher: voucher.name } : {}) });
      dialogs.notify(voucher ? tx('e2eeVouched', { name: agent.name, voucher: voucher.name }) : tx('e2eeVerified', { name: agent.name }), false);
    },
    failed(agent, reason) {
      dialogs.dismiss(agent.id);
      host.emit('e2ee_state', { participantId: agent.id, name: agent.name, state: 'failed', reason });
      dialogs.notify(tx('e2eeMismatch', { name: agent.name }), true);
    },
  });

  // Links verified before this page load, for agents still here under the same number.
  void loadLinks(sessionId)
    .then((stored) => {
      for (const entry of stored) if (byId(entry.participantId)?.member === entry.member) keys.addAgent(entry.link, false);
    })
    .catch(() => undefined)
    .then(() => keys.start(ctx.serverEpoch, readHighWater(sessionId)));
  const rotation = setInterval(() => keys.rotateIfDue(), ROTATION_CHECK_MS);

  const deliverChat = (from: ChatMessage['from'], clientId: string, text: string, id: string): void => {
    ctx.deliver({ type: 'chat_message', message: { seq: ++chatSeq, id, clientId, from, text, at: Date.now() } });
  };

  const refuseControl = (header: E2eeHeader, actionId: number, why: string): void => {
    keys.sealToAgent(header.sender, 'ctl_result', encodeAppBody('ctl_result', { actionId, ok: false, failure: 'not_controller', message: 'You are not in control of this tab.' }));
    host.emit('error', { code: 'e2ee_not_controller', message: `A control action from member ${header.sender} was refused: ${why}.` });
  };

  const onOpened = (header: E2eeHeader, opened: Extract<OpenResult, { ok: true }>): void => {
    const agent = agentOf(header.sender);
    if (header.type === 'chat') {
      const body = decodeAppBody('chat', opened.plaintext);
      if (body && agent) deliverChat({ participantId: agent.id, name: agent.name, role: 'agent' }, body.clientId, body.text, `e2ee-${header.sender}-${header.epoch}-${header.seq}`);
    } else if (header.type === 'ctl') {
      const body = decodeAppBody('ctl', opened.plaintext);
      if (!body) return;
      if (!agent || !keys.isVerified(header.sender)) return refuseControl(header, body.actionId, 'not a verified agent');
      if (granted !== agent.id) return refuseControl(header, body.actionId, 'the customer did not give this agent control');
      ctx.deliver({ type: 'control_action', participantId: agent.id, actionId: body.actionId, action: body.action });
    } else if (header.type === 'vouch') {
      const voucher = keys.linkOf(header.sender);
      if (voucher && !pairings.vouch(opened, voucher)) host.emit('error', { code: 'e2ee_bad_recipient', message: `A vouch from member ${header.sender} did not match a waiting agent's key.` });
    }
  };

  const handle = async (frame: Uint8Array): Promise<void> => {
    const header = decodeE2eeHeader(frame);
    if (!header || stopped || (header.to !== E2EE_CUSTOMER && header.to !== E2EE_TO_GROUP)) return;
    if (header.type === 'pair') {
      const pair = decodePairFrame(frame);
      if (pair) await pairings.receive(pair.header, pair.body);
      return;
    }
    const opened = await keys.keyring.open(frame);
    if (opened.ok) onOpened(header, opened);
  };
  let inbound: Promise<void> = Promise.resolve();

  const channel: E2eeChannel = {
    ready: () => !stopped && keys.current !== null,
    sealDom(frame) {
      recording?.flush();
      keys.sealGroup((frame[1]! & DOM_KEYFRAME_FLAG) !== 0 ? 'dom_keyframe' : 'dom_delta', frame, true);
    },
    pendingBytes: () => outbox.pendingBytes(),
    receive(frame) {
      inbound = inbound.then(() => handle(frame)).catch(report);
    },
    observe(message) {
      if (message.type === 'control_state' && message.controllerId !== granted) setGrant(null);
      if (message.type !== 'participant_left') return;
      const member = byId(message.participantId)?.member;
      if (granted === message.participantId) setGrant(null);
      dialogs.dismiss(message.participantId);
      if (member === undefined) return;
      pairings.forget(member);
      void dropLinks(sessionId, member).catch(() => undefined);
      keys.removeAgent(member);
    },
    intercept(message) {
      switch (message.type) {
        case 'chat_send':
          // Never in the clear, whatever happens to the frame.
          if (keys.sealGroup('chat', encodeAppBody('chat', { clientId: message.clientId, text: message.text }))) {
            deliverChat({ participantId: HOST_ID, name: '', role: 'host' }, message.clientId, message.text, `e2ee-own-${message.clientId}`);
          }
          return true;
        case 'control_result': {
          const member = byId(message.participantId)?.member;
          const { actionId, ok, failure, message: text } = message;
          if (member !== undefined) keys.sealToAgent(member, 'ctl_result', encodeAppBody('ctl_result', { actionId, ok, ...(failure ? { failure } : {}), ...(text ? { message: text } : {}) }));
          return true;
        }
        case 'control_grant':
          setGrant(message.participantId);
          return false;
        case 'control_revoke':
          setGrant(null);
          return false;
        case 'control_deny':
          if (granted === message.participantId) setGrant(null);
          return false;
        default:
          return false;
      }
    },
    confirmAgent(participantId, matches) {
      const member = byId(participantId)?.member;
      if (member !== undefined) void pairings.confirm(member, matches).catch(report);
    },
    stop(ended) {
      stopped = true;
      clearInterval(rotation);
      keys.stop();
      dialogs.stop();
      if (ended) forgetSession(sessionId);
    },
  };
  return channel;
}
