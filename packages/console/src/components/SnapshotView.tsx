/** A visitor's page snapshot as a static replica: the recording player (sandboxed, CSP-locked iframe) held at its end. */
import { useEffect, useRef, useState } from 'react';
import { buildReplicaCsp } from '@samepage/protocol';
import { fetchSnapshotEvents } from '../api-followups.ts';
import { t } from '../i18n/index.ts';
import { createRecordingPlayer } from '../replica/recording-player.ts';

declare global {
  interface Window {
    /** For e2e tests: the snapshot replica on screen (read-only). */
    __samepageSnapshot?: { document(): Document | null };
  }
}

export function SnapshotView({ messageId, allowedOrigins }: { messageId: string; allowedOrigins: string[] }) {
  const stage = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const origins = allowedOrigins.join(' ');

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => void) | null = null;
    void fetchSnapshotEvents(messageId).then((result) => {
      if (cancelled || !stage.current) return;
      if (!result.ok || !result.value.some((e) => e.type === 2)) return setState('failed');
      const player = createRecordingPlayer(stage.current, result.value, buildReplicaCsp(origins ? origins.split(' ') : []));
      // Past the end: every event is applied, and nothing plays.
      player.seek(player.duration + 1);
      destroy = () => player.destroy();
      window.__samepageSnapshot = { document: () => player.document() };
      setState('ready');
    });
    return () => {
      cancelled = true;
      destroy?.();
      delete window.__samepageSnapshot;
    };
  }, [messageId, origins]);

  return (
    <div className="snapshot-view">
      <div className="recording-stage" ref={stage} data-testid="snapshot-stage" aria-label={t.inbox.snapshotHeading} />
      {state === 'loading' && <p className="muted">{t.inbox.snapshotLoading}</p>}
      {state === 'failed' && (
        <p className="muted" role="alert">
          {t.inbox.snapshotFailed}
        </p>
      )}
    </div>
  );
}
