/**
 * A site's own help UI on top of the Samepage SDK in headless mode (`data-widget="off"`): no
 * built-in button, code card, banner, prompts or chat; everything below comes from the
 * documented API (docs/SDK.md) and its events. Build: see README.md.
 */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { ChatMessage, Participant } from '@samepage/protocol';
import type { ControlInfo, SamepageApi, SessionState } from '../../packages/sdk/src/api-types.ts';

declare global {
  interface Window {
    Samepage?: SamepageApi;
  }
}

interface ControlRequest {
  participantId: string;
  name: string;
}

function useSamepage(sdk: SamepageApi) {
  const [state, setState] = useState<SessionState>(sdk.getState().state);
  const [code, setCode] = useState<string | null>(sdk.getState().code);
  const [people, setPeople] = useState<Participant[]>(sdk.getState().participants);
  const [request, setRequest] = useState<ControlRequest | null>(null);
  const [control, setControl] = useState<ControlInfo>(sdk.control.state());
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [ended, setEnded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const offs = [
      sdk.on('state', (s) => {
        setState(s);
        setPeople(sdk.getState().participants);
        if (s === 'starting') setEnded(null);
      }),
      sdk.on('code', ({ code }) => setCode(code)),
      sdk.on('participant_joined', () => setPeople(sdk.getState().participants)),
      sdk.on('participant_left', () => setPeople(sdk.getState().participants)),
      sdk.on('control_requested', (r) => setRequest(r)),
      sdk.on('control', (c) => {
        setControl({ controllerId: c.controllerId, pending: c.pending });
        if (!c.pending.length) setRequest(null);
      }),
      sdk.on('chat_message', () => setMessages(sdk.chat.messages())),
      sdk.on('ended', ({ endedBy }) => {
        setEnded(endedBy === 'customer' ? 'You ended the session.' : 'The session has ended.');
        setCode(null);
        setRequest(null);
        setControl({ controllerId: null, pending: [] });
        setMessages([]);
      }),
      sdk.on('error', (e) => setError(e.message)),
    ];
    return () => offs.forEach((off) => off());
  }, [sdk]);

  return { state, code, people, request, setRequest, control, messages, ended, error };
}

function Help({ sdk }: { sdk: SamepageApi }) {
  const s = useSamepage(sdk);
  const [draft, setDraft] = useState('');
  const controller = s.people.find((p) => p.id === s.control.controllerId);

  if (s.state === 'idle' || s.state === 'ended') {
    return (
      <section className="help" aria-label="Help">
        {s.ended && <p role="status">{s.ended}</p>}
        <button onClick={() => void sdk.startSession().catch(() => undefined)}>Share my screen with support</button>
        {s.error && <p role="alert">{s.error}</p>}
      </section>
    );
  }
  return (
    <section className="help" aria-label="Help">
      {s.state === 'starting' && <p>Connecting…</p>}
      {s.state === 'waiting' && s.code && (
        <p>
          Tell your advisor this code: <strong data-testid="code">{s.code}</strong>
        </p>
      )}
      {s.state === 'active' && (
        <p role="status" data-testid="viewers">
          {controller ? `${controller.name} is in control` : `With you: ${s.people.map((p) => p.name).join(', ')}`}
        </p>
      )}
      {controller && <button onClick={() => sdk.control.revoke()}>Take back control</button>}
      {s.request && (
        <div role="dialog" aria-modal="true" aria-labelledby="req-title">
          <p id="req-title">{s.request.name} asks to control your screen</p>
          <button autoFocus onClick={() => { sdk.control.deny(s.request!.participantId); s.setRequest(null); }}>No thanks</button>
          <button onClick={() => { sdk.control.allow(s.request!.participantId); s.setRequest(null); }}>Let them</button>
        </div>
      )}
      {s.state === 'active' && (
        <div className="chat">
          <ul aria-label="Conversation">
            {s.messages.map((m) => (
              <li key={m.id}>
                <b>{m.from.role === 'host' ? 'Me' : m.from.name}:</b> {m.text}
              </li>
            ))}
          </ul>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (draft.trim()) void sdk.chat.send(draft).catch(() => undefined);
              setDraft('');
            }}
          >
            <input aria-label="Your message" value={draft} onChange={(e) => { setDraft(e.target.value); sdk.chat.setTyping(e.target.value.length > 0); }} />
            <button type="submit">Send message</button>
          </form>
        </div>
      )}
      <button onClick={() => void sdk.endSession()}>End sharing</button>
    </section>
  );
}

const sdk = window.Samepage;
const mount = document.getElementById('help');
if (sdk && mount) createRoot(mount).render(<Help sdk={sdk} />);
