/**
 * The session's encryption state in the session bar: a lock ("End-to-end encrypted · verified"),
 * the features it switches off (E2eeBadge), and while the customer has not confirmed this agent
 * yet, a card with the code to read out ("Read this code to the customer: 123 456"). A mismatch
 * is a red card that stays. Vouching for a colleague, or asking one to vouch, happens here too.
 */
import { useSessionController, useSessionState, useStore } from '../session/use-session.ts';
import type { AgentE2ee } from '../session/e2ee-agent.ts';
import type { VouchView } from '../session/e2ee-vouching.ts';
import { enE2ee as e, fill } from '../i18n/en-e2ee.ts';
import { E2eeBadge } from './E2eeBadge.tsx';
import './e2ee.css';

/** `123456` → `123 456`, as it is read out. */
export function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

export function E2eeStatus() {
  const controller = useSessionController();
  const e2ee = useStore(controller.e2ee);
  return (
    <span className="e2ee-status">
      {e2ee ? <E2eeLock e2ee={e2ee} /> : null}
      <E2eeBadge />
    </span>
  );
}

function E2eeLock({ e2ee }: { e2ee: AgentE2ee }) {
  const view = useStore(e2ee);
  const state = useSessionState();
  const others = state.participants.filter((p) => p.role === 'agent' && p.member !== undefined && p.id !== state.participantId);
  const tone = view.status === 'verified' ? 'verified' : view.status === 'failed' ? 'failed' : 'pairing';
  const label = view.status === 'verified' ? e.lockVerified : view.status === 'failed' ? e.lockFailed : e.lockPairing;
  const asking = new Set(view.vouches.filter((v) => v.role === 'asking').map((v) => v.member));
  return (
    <>
      <span className={`e2ee-lock e2ee-lock-${tone}`} data-testid="e2ee-lock" data-state={view.status} title={view.epoch === null ? undefined : fill(e.epoch, { epoch: view.epoch })}>
        <span aria-hidden="true">🔒</span> {label}
      </span>
      {view.status === 'code' && view.code && (
        <div className="e2ee-card" role="region" aria-label={e.readCode} data-testid="e2ee-code-card">
          <h2>{e.readCode}</h2>
          <div className="e2ee-code" data-testid="e2ee-code" data-code={view.code}>
            {formatCode(view.code)}
          </div>
          <p>{e.readCodeHint}</p>
          {others.length > 0 && (
            <div className="e2ee-actions">
              {others
                .filter((p) => !asking.has(p.member!))
                .map((p) => (
                  <button key={p.id} type="button" className="button button-secondary" onClick={() => void e2ee.vouching.ask(p.member!)}>
                    {fill(e.askVouch, { name: p.name })}
                  </button>
                ))}
            </div>
          )}
        </div>
      )}
      {view.status === 'failed' && (
        <div className="e2ee-card e2ee-card-bad" role="alert" data-testid="e2ee-mismatch">
          <h2>{e.mismatch}</h2>
          <p>{e.mismatchHint}</p>
        </div>
      )}
      {view.vouches.map((v) => (
        <VouchCard key={`${v.role}:${v.member}`} e2ee={e2ee} vouch={v} />
      ))}
    </>
  );
}

function VouchCard({ e2ee, vouch }: { e2ee: AgentE2ee; vouch: VouchView }) {
  if (vouch.state === 'pairing') return null;
  if (vouch.state === 'done' || vouch.state === 'failed') {
    if (vouch.role === 'asking') return null;
    return (
      <span className="sr-only" role="status" data-testid="e2ee-vouch-result" data-state={vouch.state}>
        {fill(vouch.state === 'done' ? e.vouchSent : e.vouchRefused, { name: vouch.name })}
      </span>
    );
  }
  const code = vouch.code ? formatCode(vouch.code) : '';
  if (vouch.role === 'asking') {
    return (
      <div className="e2ee-card" role="region" aria-label={fill(e.vouchCompare, { name: vouch.name })} data-testid="e2ee-vouch-asking">
        <h2>{fill(e.vouchCompare, { name: vouch.name })}</h2>
        <div className="e2ee-code">{code}</div>
      </div>
    );
  }
  return (
    <div className="e2ee-card" role="region" aria-label={fill(e.vouchFor, { name: vouch.name })} data-testid="e2ee-vouch-asked">
      <h2>{fill(e.vouchFor, { name: vouch.name })}</h2>
      <div className="e2ee-code" data-code={vouch.code ?? ''}>
        {code}
      </div>
      <p>{fill(e.vouchForHint, { name: vouch.name })}</p>
      <div className="e2ee-actions">
        <button type="button" className="button button-primary" onClick={() => void e2ee.vouching.answer(vouch.member, true)}>
          {e.vouchMatch}
        </button>
        <button type="button" className="button button-secondary" onClick={() => void e2ee.vouching.answer(vouch.member, false)}>
          {e.vouchNoMatch}
        </button>
      </div>
    </div>
  );
}
