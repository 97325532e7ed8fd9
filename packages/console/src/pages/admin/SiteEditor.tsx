import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { adminApi, type RedactionRules, type Site, type SitePolicy } from '../../admin/admin-api.ts';
import { embedSnippet, linesToList, listToLines } from '../../admin/admin-model.ts';
import { t } from '../../i18n/index.ts';
import { CopyButton, IDLE, StatusLine, type Status } from './admin-ui.tsx';
import { RedactionPreview } from './RedactionPreview.tsx';
import { WidgetPreview } from './WidgetPreview.tsx';
import type { SiteTheme } from '@samepage/protocol';

type Position = NonNullable<SiteTheme['position']>;
type Mode = NonNullable<SiteTheme['mode']>;
const POSITIONS = Object.keys(t.admin.themePositions) as Position[];
const MODES = Object.keys(t.admin.themeModes) as Mode[];

/** The theme fields as typed (empty: the default). */
interface ThemeDraft {
  brandColor: string;
  logoUrl: string;
  position: Position | '';
  mode: Mode | '';
}

const toThemeDraft = (theme: SiteTheme | undefined): ThemeDraft => ({
  brandColor: theme?.brandColor ?? '',
  logoUrl: theme?.logoUrl ?? '',
  position: theme?.position ?? '',
  mode: theme?.mode ?? '',
});

/** The theme to save: the fields that are set, plus the site's custom texts (not edited here). */
function themeOf(draft: ThemeDraft, saved: SiteTheme | undefined): SiteTheme | undefined {
  const theme: SiteTheme = {};
  if (draft.brandColor.trim()) theme.brandColor = draft.brandColor.trim();
  if (draft.logoUrl.trim()) theme.logoUrl = draft.logoUrl.trim();
  if (draft.position) theme.position = draft.position;
  if (draft.mode) theme.mode = draft.mode;
  if (saved?.text) theme.text = saved.text;
  return Object.keys(theme).length > 0 ? theme : undefined;
}

/** Only what is valid reaches the preview (the server checks again on save). */
function previewTheme(theme: SiteTheme | undefined): SiteTheme {
  const { brandColor, logoUrl, ...rest } = theme ?? {};
  return {
    ...rest,
    ...(brandColor && /^#[0-9a-f]{6}$/i.test(brandColor) ? { brandColor } : {}),
    ...(logoUrl && /^https?:\/\/\S+$/i.test(logoUrl) ? { logoUrl } : {}),
  };
}

type PolicyFlag = Exclude<keyof SitePolicy, 'controlRoles' | 'theme' | 'e2ee'>;

/** The sdk.js hash of the build this server serves, for the pinned snippet of encrypted sites. */
function useSdkIntegrity(wanted: boolean): string | undefined {
  const [hash, setHash] = useState<string>();
  useEffect(() => {
    if (!wanted || hash) return;
    fetch('/sdk/integrity.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ files: Record<string, string> }>) : null))
      .then((body) => setHash(body?.files['/sdk.js']))
      .catch(() => undefined);
  }, [wanted, hash]);
  return wanted ? hash : undefined;
}
const FLAGS: { key: PolicyFlag; label: string }[] = [
  { key: 'allowNavigation', label: t.admin.policyNavigate },
  { key: 'allowGuests', label: t.admin.policyGuests },
  { key: 'recordSessions', label: t.admin.policyRecord },
  { key: 'allowCustomerStart', label: t.admin.policyCustomerStart },
];

interface Draft {
  origins: string;
  redact: string;
  block: string;
  allow: string;
  policy: Omit<SitePolicy, 'theme'>;
  theme: ThemeDraft;
}

const toDraft = (site: Site): Draft => ({
  origins: listToLines(site.allowedOrigins),
  redact: listToLines(site.redaction.redact),
  block: listToLines(site.redaction.block),
  allow: listToLines(site.redaction.allow),
  policy: withoutTheme({ ...site.policy, controlRoles: [...site.policy.controlRoles] }),
  theme: toThemeDraft(site.policy.theme),
});

function withoutTheme(policy: SitePolicy): Omit<SitePolicy, 'theme'> {
  const { theme: _theme, ...rest } = policy;
  return rest;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One site: key and snippet, origins, redaction rules (with the live preview) and policies. */
export function SiteEditor({ site, roleOptions, onSaved }: { site: Site; roleOptions: { key: string; title: string }[]; onSaved: (site: Site) => void }) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(site));
  const [status, setStatus] = useState<Status>(IDLE);
  const id = useId();
  const integrity = useSdkIntegrity(site.policy.e2ee === true);
  const snippet = embedSnippet(window.location.origin, site.siteKey, integrity, site.policy.e2ee === true);
  const rules: RedactionRules = useMemo(() => ({ redact: linesToList(draft.redact), block: linesToList(draft.block), allow: linesToList(draft.allow) }), [draft.redact, draft.block, draft.allow]);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const theme = useMemo(() => themeOf(draft.theme, site.policy.theme), [draft.theme, site.policy.theme]);
  const setTheme = (patch: Partial<ThemeDraft>) => setDraft((d) => ({ ...d, theme: { ...d.theme, ...patch } }));
  const setPolicy = (patch: Partial<Omit<SitePolicy, 'theme'>>) => setDraft((d) => ({ ...d, policy: { ...d.policy, ...patch } }));
  const roles = [...roleOptions, ...draft.policy.controlRoles.filter((k) => !roleOptions.some((r) => r.key === k)).map((key) => ({ key, title: key }))];

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // Only what changed: each part is audited separately.
    const body: Parameters<typeof adminApi.updateSite>[1] = {};
    const allowedOrigins = linesToList(draft.origins);
    if (!same(allowedOrigins, site.allowedOrigins)) body.allowedOrigins = allowedOrigins;
    if (!same(rules, site.redaction)) body.redaction = rules;
    const themeChanged = !same(theme ?? null, site.policy.theme ?? null);
    if (themeChanged || !same(draft.policy, withoutTheme(site.policy))) body.policy = themeChanged ? { ...draft.policy, theme: theme ?? null } : draft.policy;
    setStatus({ kind: 'busy' });
    const result = Object.keys(body).length === 0 ? { ok: true as const, value: site } : await adminApi.updateSite(site.id, body);
    if (!result.ok) return setStatus({ kind: 'error', text: result.message });
    setStatus({ kind: 'ok', text: t.admin.siteSaved });
    setDraft(toDraft(result.value));
    onSaved(result.value);
  };

  return (
    <div className="site-editor">
      <form className="card admin-card" aria-labelledby={`${id}-h`} onSubmit={(e) => void save(e)} noValidate>
        <h2 id={`${id}-h`}>{site.name}</h2>
        <div className="field">
          <span className="field-label" id={`${id}-key`}>
            {t.admin.siteKeyLabel}
          </span>
          <div className="copy-row">
            <input readOnly aria-labelledby={`${id}-key`} className="mono" value={site.siteKey} onFocus={(e) => e.target.select()} />
            <CopyButton text={site.siteKey} label={t.admin.copySiteKey} />
          </div>
        </div>
        <div className="field">
          <span className="field-label" id={`${id}-snippet`}>
            {t.admin.snippetLabel}
          </span>
          <div className="copy-row">
            <textarea readOnly aria-labelledby={`${id}-snippet`} aria-describedby={`${id}-snippet-hint`} className="code-area" rows={2} value={snippet} onFocus={(e) => e.target.select()} />
            <CopyButton text={snippet} label={t.admin.copySnippet} />
          </div>
          <span className="form-hint" id={`${id}-snippet-hint`}>
            {t.admin.snippetHint} {integrity ? t.admin.snippetE2eeHint : ''}
          </span>
        </div>
        <label className="field">
          <span className="field-label">{t.admin.originsLabel}</span>
          <textarea className="code-area" rows={3} spellCheck={false} aria-describedby={`${id}-origins`} value={draft.origins} onChange={(e) => set({ origins: e.target.value })} />
          <span className="form-hint" id={`${id}-origins`}>
            {t.admin.originsHint}
          </span>
        </label>

        <fieldset className="admin-fieldset">
          <legend>{t.admin.redactionHeading}</legend>
          <p className="muted small">{t.admin.redactionIntro}</p>
          <div className="rules-grid">
            {(
              [
                ['redact', t.admin.redactLabel, t.admin.redactHint],
                ['block', t.admin.blockLabel, t.admin.blockHint],
                ['allow', t.admin.allowLabel, t.admin.allowHint],
              ] as const
            ).map(([key, label, hint]) => (
              <label className="field" key={key}>
                <span className="field-label">{label}</span>
                <textarea className="code-area" rows={4} spellCheck={false} aria-describedby={`${id}-${key}`} value={draft[key]} onChange={(e) => set({ [key]: e.target.value })} />
                <span className="form-hint" id={`${id}-${key}`}>
                  {hint}
                </span>
              </label>
            ))}
          </div>
          <RedactionPreview rules={rules} />
        </fieldset>

        <fieldset className="admin-fieldset">
          <legend>{t.admin.policiesHeading}</legend>
          <div className="policy-grid">
            <div className="checks">
              {FLAGS.map(({ key, label }) => (
                <label className="check" key={key}>
                  <input type="checkbox" checked={draft.policy[key]} onChange={(e) => setPolicy({ [key]: e.target.checked })} />
                  <span>{label}</span>
                </label>
              ))}
              <label className="check">
                <input type="checkbox" checked={draft.policy.e2ee === true} aria-describedby={`${id}-e2ee`} onChange={(e) => setPolicy({ e2ee: e.target.checked })} />
                <span>{t.admin.policyE2ee}</span>
              </label>
              <span className="form-hint" id={`${id}-e2ee`}>
                {t.admin.policyE2eeHint}
              </span>
            </div>
            <label className="field">
              <span className="field-label">{t.admin.controlRolesLabel}</span>
              <select
                multiple
                size={Math.min(6, Math.max(3, roles.length))}
                aria-describedby={`${id}-control`}
                value={draft.policy.controlRoles}
                onChange={(e) => setPolicy({ controlRoles: Array.from(e.target.selectedOptions, (o) => o.value) })}
              >
                {roles.map((r) => (
                  <option key={r.key} value={r.key}>
                    {r.title}
                  </option>
                ))}
              </select>
              <span className="form-hint" id={`${id}-control`}>
                {t.admin.controlRolesHint}
              </span>
            </label>
          </div>
        </fieldset>

        <fieldset className="admin-fieldset">
          <legend>{t.admin.themeHeading}</legend>
          <p className="muted small">{t.admin.themeIntro}</p>
          <div className="rules-grid">
            <label className="field">
              <span className="field-label">{t.admin.themeBrandColor}</span>
              <span className="copy-row">
                <input
                  className="mono"
                  spellCheck={false}
                  placeholder="#1a73e8"
                  aria-describedby={`${id}-brand`}
                  value={draft.theme.brandColor}
                  onChange={(e) => setTheme({ brandColor: e.target.value })}
                />
                <span aria-hidden="true" style={{ width: 24, height: 24, flex: 'none', borderRadius: 4, border: '1px solid var(--border)', background: previewTheme(theme).brandColor ?? 'transparent' }} />
              </span>
              <span className="form-hint" id={`${id}-brand`}>
                {t.admin.themeBrandColorHint}
              </span>
            </label>
            <label className="field">
              <span className="field-label">{t.admin.themeLogoUrl}</span>
              <input type="url" spellCheck={false} placeholder="https://" aria-describedby={`${id}-logo`} value={draft.theme.logoUrl} onChange={(e) => setTheme({ logoUrl: e.target.value })} />
              <span className="form-hint" id={`${id}-logo`}>
                {t.admin.themeLogoUrlHint}
              </span>
            </label>
            <label className="field">
              <span className="field-label">{t.admin.themePosition}</span>
              <select value={draft.theme.position} onChange={(e) => setTheme({ position: e.target.value as Position | '' })}>
                <option value="">{t.admin.themeDefault}</option>
                {POSITIONS.map((p) => (
                  <option key={p} value={p}>
                    {t.admin.themePositions[p]}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">{t.admin.themeMode}</span>
              <select value={draft.theme.mode} onChange={(e) => setTheme({ mode: e.target.value as Mode | '' })}>
                <option value="">{t.admin.themeDefault}</option>
                {MODES.map((m) => (
                  <option key={m} value={m}>
                    {t.admin.themeModes[m]}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </fieldset>

        <WidgetPreview theme={previewTheme(theme)} />

        <div className="admin-actions">
          <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
            {t.admin.saveSite}
          </button>
          <StatusLine status={status} />
        </div>
      </form>
    </div>
  );
}
