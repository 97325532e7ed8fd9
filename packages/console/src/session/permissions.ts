/**
 * Which tools the console shows, from the agent's permissions (`welcome.user.permissions`) and
 * the site's policy. Hiding is a courtesy, not the enforcement: the server refuses anyway.
 */
import type { SitePolicyPublic } from '@samepage/protocol';

export interface Tools {
  point: boolean;
  draw: boolean;
  chat: boolean;
  control: boolean;
  navigate: boolean;
  invite: boolean;
  notes: boolean;
  visitors: boolean;
  joinAny: boolean;
}

export const NO_TOOLS: Tools = {
  point: false,
  draw: false,
  chat: false,
  control: false,
  navigate: false,
  invite: false,
  notes: false,
  visitors: false,
  joinAny: false,
};

export type Viewer = { kind: 'agent'; permissions: readonly string[] } | { kind: 'guest' } | { kind: 'unknown' };

export function toolsFor(viewer: Viewer, policy: Pick<SitePolicyPublic, 'allowNavigation'> | null, sharedBrowser = false): Tools {
  // A guest (a friend of the customer) watches and chats, nothing more. In a shared browser the
  // guest is the customer, who may drive it once an agent hands over control (docs/SHARED-BROWSER.md).
  if (viewer.kind === 'guest') return sharedBrowser ? { ...NO_TOOLS, chat: true, control: true, navigate: policy?.allowNavigation === true } : { ...NO_TOOLS, chat: true };
  if (viewer.kind === 'unknown') return NO_TOOLS;
  const has = (permission: string) => viewer.permissions.includes(permission);
  const control = has('session.control');
  return {
    point: has('session.point'),
    draw: has('session.draw'),
    chat: has('session.chat'),
    control,
    // Navigation is a control action: it also needs control, and the site must allow it.
    navigate: control && has('session.navigate') && policy?.allowNavigation === true,
    invite: has('session.invite'),
    notes: has('session.view'),
    visitors: has('visitors.list'),
    joinAny: has('session.join_any'),
  };
}
