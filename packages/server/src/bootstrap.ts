import type { Config } from './config.ts';
import { createStore, type Store } from './store.ts';
import { hashPassword } from './auth/passwords.ts';
import { newId, newSecret } from './ids.ts';

export interface BootstrapResult {
  adminEmail: string;
  /** Set only when the password was generated on this start; it is printed once. */
  generatedPassword: string | null;
  /** Set when ADMIN_PASSWORD was given, so tests and operators can log in. */
  knownPassword: string | null;
  demoSiteKey: string;
  firstStart: boolean;
}

/**
 * On first start: the demo tenant, its admin and the demo shop's site key. Later: reads them back.
 * Safe when several nodes start at once on one database: the whole first start is one
 * transaction that claims the `bootstrap` setting first, so a second node waits on that row,
 * fails its insert, and reads back what the first one wrote.
 */
export async function bootstrap(config: Config, store: Store): Promise<BootstrapResult> {
  const saved = await readBootstrap(config, store);
  if (saved) return saved;
  const adminEmail = config.adminEmail ?? 'admin@samepage.local';
  const generatedPassword = config.adminPassword ? null : newSecret(12);
  const passwordHash = await hashPassword(config.adminPassword ?? generatedPassword ?? '');
  try {
    const demoSiteKey = await store.db.transaction().execute(async (trx) => {
      const tx = createStore(trx);
      await trx.insertInto('settings').values({ key: 'bootstrap', value: '{}' }).execute();
      const tenant = await tx.createTenant('Demo Company');
      await tx.createUser({ tenantId: tenant.id, email: adminEmail, name: 'Admin', role: 'admin', passwordHash });
      const site = await tx.createSite({ tenantId: tenant.id, name: 'Demo shop', siteKey: newId('pk_demo'), allowedOrigins: ['self'] });
      await tx.setSetting('bootstrap', JSON.stringify({ adminEmail, demoSiteKey: site.siteKey, tenantId: tenant.id }));
      await tx.audit(tenant.id, { type: 'system', id: null }, 'tenant.bootstrap', null, { adminEmail });
      return site.siteKey;
    });
    return { adminEmail, generatedPassword, knownPassword: config.adminPassword, demoSiteKey, firstStart: true };
  } catch (err) {
    // Another node bootstrapped first (our claim of the setting hit its unique key).
    const other = await readBootstrap(config, store);
    if (other) return other;
    throw err;
  }
}

async function readBootstrap(config: Config, store: Store): Promise<BootstrapResult | null> {
  const done = await store.getSetting('bootstrap');
  if (!done) return null;
  const saved = JSON.parse(done) as { adminEmail: string; demoSiteKey: string };
  return { adminEmail: saved.adminEmail, demoSiteKey: saved.demoSiteKey, generatedPassword: null, knownPassword: config.adminPassword, firstStart: false };
}
