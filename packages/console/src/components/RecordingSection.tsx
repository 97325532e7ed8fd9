/** A session's recording, when there is one and the agent may view it (recordings.view); nothing otherwise. */
import { useEffect, useState } from 'react';
import { fetchRecording, type RecordingDetail } from '../api-recordings.ts';
import type { ApiResult } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { RecordingPlayerView } from './RecordingPlayer.tsx';
import { EncryptedRecordingPlayer } from './EncryptedRecordingPlayer.tsx';

export function useRecording(sessionId: string, enabled = true): ApiResult<RecordingDetail> | null {
  const [result, setResult] = useState<ApiResult<RecordingDetail> | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    void fetchRecording(sessionId).then((r) => !cancelled && setResult(r));
    return () => {
      cancelled = true;
    };
  }, [sessionId, enabled]);
  return result;
}

export function RecordingSection({ detail }: { detail: RecordingDetail }) {
  return (
    <section className="card recording-card" aria-labelledby="recording-heading">
      <h2 id="recording-heading">{t.recordings.heading}</h2>
      {detail.recording.e2ee ? <EncryptedRecordingPlayer detail={detail} /> : <RecordingPlayerView detail={detail} />}
    </section>
  );
}
