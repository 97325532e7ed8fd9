import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILT_IN_ROLES } from '@samepage/protocol';
import { NO_TOOLS, toolsFor } from './permissions.ts';

const agent = (role: string) => ({ kind: 'agent' as const, permissions: BUILT_IN_ROLES[role]?.permissions ?? [] });
const navOn = { allowNavigation: true };

test('a plain agent sees pointer, drawing, chat and invite, but no control or navigation', () => {
  const tools = toolsFor(agent('agent'), navOn);
  assert.equal(tools.point, true);
  assert.equal(tools.draw, true);
  assert.equal(tools.chat, true);
  assert.equal(tools.invite, true);
  assert.equal(tools.visitors, true);
  assert.equal(tools.control, false);
  assert.equal(tools.navigate, false);
  assert.equal(tools.joinAny, false);
});

test('a senior agent gets control, and navigation only where the site allows it', () => {
  assert.equal(toolsFor(agent('senior_agent'), navOn).navigate, true);
  assert.equal(toolsFor(agent('senior_agent'), { allowNavigation: false }).navigate, false);
  assert.equal(toolsFor(agent('senior_agent'), null).navigate, false);
  assert.equal(toolsFor(agent('senior_agent'), null).control, true);
});

test('navigation without control is hidden (it is a control action)', () => {
  const tools = toolsFor({ kind: 'agent', permissions: ['session.navigate'] }, navOn);
  assert.equal(tools.navigate, false);
});

test('a supervisor can join any session', () => {
  assert.equal(toolsFor(agent('supervisor'), navOn).joinAny, true);
});

test('a guest only chats; an unknown viewer sees no tools', () => {
  assert.deepEqual(toolsFor({ kind: 'guest' }, navOn), { ...NO_TOOLS, chat: true });
  assert.deepEqual(toolsFor({ kind: 'unknown' }, navOn), NO_TOOLS);
});

test('unknown permission strings are ignored', () => {
  assert.deepEqual(toolsFor({ kind: 'agent', permissions: ['session.teleport'] }, navOn), NO_TOOLS);
});
