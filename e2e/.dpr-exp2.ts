import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const inner = `<style>body{margin:0;padding:40px;font:16px serif}label{display:block;margin:8px 0}input{padding:6px;box-sizing:border-box}</style>` +
  Array.from({ length: 12 }, (_, i) => `<label style="margin-left:${i * 7.3}px">N <input style="width:${300 + i * 3.7}px"></label>`).join('');
const variants: Record<string, string> = {
  plain: '',
  tz: 'transform: scale(S) translateZ(0);',
  willchange: 'will-change: transform;',
  backface: 'backface-visibility: hidden;',
};
for (const s of [0.7, 0.7234, 0.776, 0.8312]) {
  const row: string[] = [];
  for (const [name, extra] of Object.entries(variants)) {
    const p = await b.newPage({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 });
    const style = `transform:scale(${s});transform-origin:0 0;${extra.replace('S', String(s))}`;
    await p.setContent(`<body style="margin:0"><div id="sc" style="${style}width:1100px;height:800px"><iframe style="border:0;width:1100px;height:800px;display:block" srcdoc="${inner.replace(/"/g, '&quot;')}"></iframe></div></body>`);
    await p.waitForTimeout(200);
    const rights: number[][] = await p.evaluate(`(() => { const d = document.querySelector('iframe').contentDocument; return [...d.querySelectorAll('input')].map((e) => { const r = e.getBoundingClientRect(); return [r.right * ${s}, (r.top + r.height / 2) * ${s}]; }); })()`) as number[][];
    let missing = 0;
    for (const [x, y] of rights) {
      const png = PNG.sync.read(await p.screenshot({ clip: { x: Math.floor(x!) - 3, y: Math.floor(y!), width: 6, height: 1 } }));
      let min = 255; for (let i = 0; i < png.data.length; i += 4) min = Math.min(min, (png.data[i]! + png.data[i + 1]! + png.data[i + 2]!) / 3);
      if (min > 200) missing++;
    }
    row.push(`${name}:${missing}`);
    await p.close();
  }
  console.log(s, row.join(' '));
}
await b.close();
