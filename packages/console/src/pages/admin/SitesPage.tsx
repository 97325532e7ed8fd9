import { useEffect, useId, useState, type FormEvent } from 'react';
import { BUILT_IN_ROLES } from '@samepage/protocol';
import { adminApi, type Site } from '../../admin/admin-api.ts';
import { linesToList } from '../../admin/admin-model.ts';
import { t } from '../../i18n/index.ts';
import { AdminPageHeader, IDLE, LoadGate, StatusLine, useLoad, type Status } from './admin-ui.tsx';
import { SiteEditor } from './SiteEditor.tsx';
import { RecordingKeyCard } from './RecordingKeyCard.tsx';

const loadSites = () => adminApi.sites();
const BUILT_IN = Object.entries(BUILT_IN_ROLES).map(([key, r]) => ({ key, title: r.title }));

export function SitesPage() {
  const [sites, , setSites] = useLoad(loadSites);
  const [selected, setSelected] = useState<string | null>(null);
  const [roleOptions, setRoleOptions] = useState(BUILT_IN);

  // Custom roles too, when this role may list them (roles.manage or users.manage).
  useEffect(() => {
    void adminApi.roles().then((r) => {
      if (r.ok) setRoleOptions(r.value.roles.map((role) => ({ key: role.key, title: role.title })));
    });
  }, []);

  const list = sites.state === 'ready' ? sites.value : [];
  const current = list.find((s) => s.id === selected) ?? list[0] ?? null;
  const replace = (site: Site) => setSites(list.some((s) => s.id === site.id) ? list.map((s) => (s.id === site.id ? site : s)) : [...list, site]);

  return (
    <>
      <AdminPageHeader title={t.admin.sitesHeading} intro={t.admin.sitesIntro} />
      <LoadGate data={sites}>
        {() => (
          <div className="sites-layout">
            <aside className="sites-side">
              <nav className="card admin-card site-list" aria-label={t.admin.sitesListLabel}>
                <h2 className="panel-heading">{t.admin.sitesListLabel}</h2>
                {list.length === 0 && <p className="muted">{t.admin.noSites}</p>}
                <ul>
                  {list.map((site) => (
                    <li key={site.id}>
                      <button type="button" className="site-item" aria-current={current?.id === site.id ? 'true' : undefined} onClick={() => setSelected(site.id)}>
                        <span className="site-item-name">{site.name}</span>
                        <span className="site-item-sub">{site.allowedOrigins.join(', ')}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </nav>
              <NewSiteForm
                onCreated={(site) => {
                  replace(site);
                  setSelected(site.id);
                }}
              />
              <RecordingKeyCard />
            </aside>
            {current && <SiteEditor key={current.id} site={current} roleOptions={roleOptions} onSaved={replace} />}
          </div>
        )}
      </LoadGate>
    </>
  );
}

function NewSiteForm({ onCreated }: { onCreated: (site: Site) => void }) {
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [status, setStatus] = useState<Status>(IDLE);
  const id = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setStatus({ kind: 'busy' });
    const result = await adminApi.createSite({ name: name.trim(), allowedOrigins: linesToList(origins) });
    if (!result.ok) return setStatus({ kind: 'error', text: result.message });
    setStatus({ kind: 'ok', text: t.admin.siteCreated(result.value.name) });
    setName('');
    setOrigins('');
    onCreated(result.value);
  };

  return (
    <form className="card admin-card" aria-labelledby={`${id}-h`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${id}-h`} className="panel-heading">
        {t.admin.newSiteHeading}
      </h2>
      <label className="field field-tight">
        <span className="field-label">{t.admin.siteNameLabel}</span>
        <input value={name} autoComplete="off" onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span className="field-label">{t.admin.originsLabel}</span>
        <textarea className="code-area" rows={2} spellCheck={false} placeholder="https://shop.example.com" value={origins} onChange={(e) => setOrigins(e.target.value)} />
      </label>
      <div className="admin-actions">
        <button type="submit" className="button button-primary button-small" disabled={status.kind === 'busy'}>
          {t.admin.createSite}
        </button>
      </div>
      <StatusLine status={status} />
    </form>
  );
}
