export * from './errors.ts';
export * from './messages.ts';
export * from './codec.ts';
export * from './dom-frame.ts';
export * from './session-code.ts';
export * from './control.ts';
export * from './collaboration.ts';
export * from './permissions.ts';
