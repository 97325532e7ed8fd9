/** Permissions a role can hold; the server enforces them on every request and message. */
export const PERMISSIONS = [
  'session.view',
  'session.point',
  'session.draw',
  'session.chat',
  'session.control',
  'session.navigate',
  'session.invite',
  'session.join_any',
  'session.open_url',
  'visitors.list',
  'messages.view',
  'messages.reply',
  'recordings.view',
  'users.manage',
  'roles.manage',
  'sites.manage',
  'audit.view',
  'billing.view',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const AGENT: Permission[] = ['session.view', 'session.point', 'session.draw', 'session.chat', 'session.invite', 'visitors.list', 'messages.view', 'messages.reply'];
const SENIOR: Permission[] = [...AGENT, 'session.control', 'session.navigate', 'session.open_url'];
const SUPERVISOR: Permission[] = [...SENIOR, 'session.join_any', 'audit.view', 'recordings.view'];

/** The built-in roles. Admins can add custom roles (see the server). */
export const BUILT_IN_ROLES: Record<string, { title: string; permissions: readonly Permission[] }> = {
  agent: { title: 'Agent', permissions: AGENT },
  senior_agent: { title: 'Senior agent', permissions: SENIOR },
  supervisor: { title: 'Supervisor', permissions: SUPERVISOR },
  admin: { title: 'Admin', permissions: PERMISSIONS },
};

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
