/** The recordings' text, in English (part of `en`, as `t.recordings`). */
const pad = (n: number) => String(n).padStart(2, '0');

/** 75_000 → "01:15"; an hour or more → "1:01:15". */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

export const enRecordings = {
  listHeading: 'Recordings',
  listEmpty: 'No recorded sessions yet. Turn on recording in a site’s policy.',
  open: (site: string, when: string) => `Recording of ${site}, ${when}`,
  duration: (ms: number) => `Duration ${formatOffset(ms)}`,
  size: (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`),
  heading: 'Recording',
  pageHeading: (site: string) => `Recording of a session on ${site}`,
  loadingEvents: 'Loading the recording…',
  notFound: 'There is no recording of this session, or you may not view it.',
  empty: 'This recording holds no page yet.',
  play: 'Play',
  pause: 'Pause',
  position: 'Position',
  positionText: (at: number, total: number) => `${formatOffset(at)} of ${formatOffset(total)}`,
  speed: 'Speed',
  markers: 'Events',
  kindChat: 'Chat',
  kindControl: 'Control',
  kindNavigation: 'Navigation',
  marker: (kind: string, at: string, label: string) => `${kind} ${at}: ${label}`,
  notesHeading: 'Agent notes',
  noNotes: 'No notes.',
  viewSession: 'Session details',
  viewRecording: 'Watch the recording',
} as const;
