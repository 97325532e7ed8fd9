import type { Config } from '../config.ts';
import type { Store } from '../store.ts';
import type { CollabStore } from '../collab-store.ts';
import type { AdminStore } from '../admin-store.ts';
import type { TenantStore } from '../tenant-store.ts';
import type { ApiStore } from '../api-store.ts';
import type { Relay } from '../relay/relay.ts';

/** What the route handlers of both API surfaces use. */
export interface ApiDeps {
  config: Config;
  store: Store;
  collab: CollabStore;
  admin: AdminStore;
  tenants: TenantStore;
  api: ApiStore;
  relay: Relay;
}
