import type { Config } from './config.ts';
import type { Store } from './store.ts';
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

/** On first start: the demo tenant, its admin and the demo shop's site key. Later: reads them back. */
export async function bootstrap(config: Config, store: Store): Promise<BootstrapResult> {
  const done = await store.getSetting('bootstrap');
  if (done) {
    const saved = JSON.parse(done) as { adminEmail: string; demoSiteKey: string };
    return { ...saved, generatedPassword: null, knownPassword: config.adminPassword, firstStart: false };
  }
  const tenant = await store.createTenant('Demo Company');
  const adminEmail = config.adminEmail ?? 'admin@samepage.local';
  const generatedPassword = config.adminPassword ? null : newSecret(12);
  const password = config.adminPassword ?? generatedPassword ?? '';
  await store.createUser({ tenantId: tenant.id, email: adminEmail, name: 'Admin', role: 'admin', passwordHash: await hashPassword(password) });
  const site = await store.createSite({ tenantId: tenant.id, name: 'Demo shop', siteKey: newId('pk_demo'), allowedOrigins: ['self'] });
  await store.setSetting('bootstrap', JSON.stringify({ adminEmail, demoSiteKey: site.siteKey, tenantId: tenant.id }));
  await store.audit(tenant.id, { type: 'system', id: null }, 'tenant.bootstrap', null, { adminEmail });
  return { adminEmail, generatedPassword, knownPassword: config.adminPassword, demoSiteKey: site.siteKey, firstStart: true };
}
