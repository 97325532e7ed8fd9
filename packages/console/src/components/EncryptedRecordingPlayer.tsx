/**
 * The player of an end-to-end encrypted recording (docs/E2EE.md, "Recordings"): until the user
 * loads the tenant's recording key file it says that the recording is encrypted and asks for
 * the key; with the key it decrypts the recording in this tab (replica/encrypted-recording.ts)
 * and plays it in the usual player. The key lives in this component's memory only: it is never
 * uploaded or stored, and is gone when the page is left.
 */
import { useId, useState, type ChangeEvent } from 'react';
import { readRecordingKeyFile } from '@samepage/protocol';
import type { RecordedEvent, RecordingDetail } from '../api-recordings.ts';
import { enE2eeRecording as e, fillText } from '../i18n/en-e2ee-recording.ts';
import { t } from '../i18n/index.ts';
import { decryptRecording, fetchEncryptedRecording } from '../replica/encrypted-recording.ts';
import { RecordingPlayerView } from './RecordingPlayer.tsx';

type State =
  | { kind: 'locked'; error: string | null }
  | { kind: 'busy' }
  | { kind: 'ready'; detail: RecordingDetail; events: RecordedEvent[]; note: string };

export function EncryptedRecordingPlayer({ detail }: { detail: RecordingDetail }) {
  const [state, setState] = useState<State>({ kind: 'locked', error: null });
  const inputId = useId();
  const hintId = useId();
  const { sessionId } = detail.recording;

  const load = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = ''; // the file's contents are not kept by the input either
    if (!file) return;
    setState({ kind: 'busy' });
    const key = await readRecordingKeyFile(await file.text().catch(() => ''));
    if (!key) return setState({ kind: 'locked', error: e.notAKey });
    const encrypted = await fetchEncryptedRecording(sessionId);
    if (!encrypted.ok) return setState({ kind: 'locked', error: t.loadFailed });
    const result = await decryptRecording(encrypted.value, key);
    if (!result.ok) return setState({ kind: 'locked', error: result.reason === 'wrong_key' ? e.wrongKey : e.noKeys });
    const markers = [...detail.markers, ...result.markers].sort((a, b) => a.at - b.at);
    const first = result.events[0]?.timestamp ?? detail.recording.eventsStartAt;
    const last = result.events.at(-1)?.timestamp ?? first;
    const note = [fillText('unlocked', { epochs: result.epochs, frames: result.frames }), result.unopened > 0 ? fillText('partly', { missing: result.unopened }) : ''].filter(Boolean).join(' ');
    setState({ kind: 'ready', detail: { ...detail, markers, recording: { ...detail.recording, eventsStartAt: first, eventsEndAt: last } }, events: result.events, note });
  };

  if (state.kind === 'ready') {
    return (
      <div data-testid="encrypted-recording" data-state="unlocked">
        <p className="muted" role="status">
          {state.note}
        </p>
        <RecordingPlayerView detail={state.detail} events={state.events} />
      </div>
    );
  }
  return (
    <div className="recording-player" data-testid="encrypted-recording" data-state={state.kind === 'busy' ? 'decrypting' : 'locked'}>
      <p className="e2ee-recording-locked" role="status">
        {state.kind === 'busy' ? e.decrypting : e.locked}
      </p>
      {state.kind === 'locked' && (
        <>
          <label className="field" htmlFor={inputId}>
            <span className="field-label">{e.loadKey}</span>
          </label>
          <input id={inputId} type="file" accept=".json,application/json" aria-describedby={hintId} onChange={(ev) => void load(ev)} />
          <p id={hintId} className="muted">
            {e.lockedHint}
          </p>
          {state.error && (
            <p className="admin-error" role="alert">
              {state.error}
            </p>
          )}
        </>
      )}
    </div>
  );
}
