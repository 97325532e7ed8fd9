import type { Plugin } from 'esbuild';

/** The esbuild plugin that patches @rrweb/record for sliced full snapshots (rrweb-slicing.mjs). */
export const rrwebSlicing: Plugin;
export const RRWEB_RECORD_VERSION: string;
export function patchRecordSource(source: string): string;
