/**
 * The supervisors' live-sessions list, `GET /api/sessions/live`: every node's live sessions of
 * the tenant (docs/SCALING.md), as the server builds it and the console reads it.
 */
import type { Participant, VisitorIdentity } from './messages.ts';

/** One live session, as its home node writes it to the cluster-wide `live` table. */
export interface LiveSessionSummary {
  id: string;
  siteId: string;
  startedAt: number;
  page: { url: string; title: string };
  visitor: VisitorIdentity | null;
  participants: Array<Pick<Participant, 'name' | 'role'> & { title: string | null }>;
  /**
   * The customer's tab dropped (not a page load) and the session waits for it to resume, up to
   * HOST_RESUME_GRACE_MS; also when the session's node died and the customer has not yet resumed
   * on another node. The session still counts towards a `capacity` plan meanwhile.
   */
  reconnecting: boolean;
}

/** A row of `GET /api/sessions/live`. */
export interface LiveSessionListItem extends LiveSessionSummary {
  siteName: string;
}
