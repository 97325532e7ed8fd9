#!/usr/bin/env node
// Makes sure the browser the e2e tests drive is installed. Runs first in `npm test`.
// On Debian as root it installs Chromium with apt; anywhere else it says what to install.
// Tools that download their own browsers do not work offline, so we use the distro's.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const chromium = process.env.SAMEPAGE_CHROMIUM || '/usr/bin/chromium';

function run(command, args) {
  console.log(`ensure-browsers: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`ensure-browsers: \`${command} ${args.join(' ')}\` failed with exit code ${result.status}.`);
    process.exit(1);
  }
}

if (existsSync(chromium)) process.exit(0);

if (process.env.SAMEPAGE_CHROMIUM) {
  console.error(`ensure-browsers: SAMEPAGE_CHROMIUM is set to ${chromium}, but no file is there.`);
  console.error('Point it at a Chromium executable, or unset it to use /usr/bin/chromium.');
  process.exit(1);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/etc/debian_version')) {
  console.log('ensure-browsers: Chromium is missing; installing the Debian package.');
  run('apt-get', ['update']);
  run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'chromium']);
  if (!existsSync(chromium)) {
    console.error(`ensure-browsers: apt installed chromium, but ${chromium} is still missing.`);
    process.exit(1);
  }
  process.exit(0);
}

console.error(`ensure-browsers: the end-to-end tests need Chromium at ${chromium}, and it is missing.
Install it, for example on Debian or Ubuntu:

    sudo apt-get install chromium

or point the tests at a Chromium you already have:

    SAMEPAGE_CHROMIUM=/path/to/chromium npm test
`);
process.exit(1);
