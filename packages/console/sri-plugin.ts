import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/** The integrity attribute value of some bytes: sha384, base64. */
function integrityOf(bytes: string | Uint8Array): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/**
 * Subresource Integrity for the console (docs/SECURITY.md, "Code delivery"): adds
 * `integrity="sha384-…"` to the entry script, module preloads and stylesheets in index.html, and
 * writes dist/integrity.json with the hash of every JS and CSS asset and of index.html itself, so
 * a tenant can check what its server serves at /console/ against the build it reviewed. Hashes
 * are taken from the files as written (source-map comments included), after the bundle is out.
 */
export function subresourceIntegrity(): Plugin {
  return {
    name: 'samepage-sri',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      const hashes = new Map<string, string>();
      for (const fileName of Object.keys(bundle)) {
        if (/\.(js|css)$/.test(fileName)) hashes.set(fileName, integrityOf(fs.readFileSync(path.join(dir, fileName))));
      }
      const htmlFile = path.join(dir, 'index.html');
      const files: Record<string, string> = {};
      for (const [file, hash] of [...hashes].sort()) files[`/console/${file}`] = hash;
      if (fs.existsSync(htmlFile)) {
        // <script src="/console/assets/x.js"> and <link rel="stylesheet|modulepreload" href="…">
        const html = fs.readFileSync(htmlFile, 'utf8').replace(/<(script|link)\b([^>]*?)\s(src|href)="\/console\/([^"]+)"([^>]*)>/g, (tag, name: string, before: string, attr: string, file: string, after: string) => {
          const hash = hashes.get(file);
          if (!hash || /\bintegrity=/.test(tag)) return tag;
          return `<${name}${before} ${attr}="/console/${file}" integrity="${hash}"${/\bcrossorigin\b/.test(tag) ? '' : ' crossorigin'}${after}>`;
        });
        fs.writeFileSync(htmlFile, html);
        files['/console/index.html'] = integrityOf(html);
      }
      fs.writeFileSync(path.join(dir, 'integrity.json'), JSON.stringify({ algorithm: 'sha384', files }, null, 2) + '\n');
    },
  };
}
