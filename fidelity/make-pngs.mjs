import { PNG } from 'pngjs';
import fs from 'node:fs';
function make(file, w, h, fn) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [r, g, b] = fn(x, y, w, h); const i = (y * w + x) * 4;
    png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}
// a "photo": a landscape of bands with a sun, two sizes for srcset
const scene = (x, y, w, h) => {
  const u = x / w, v = y / h;
  const dx = u - 0.7, dy = v - 0.3;
  if (dx * dx + dy * dy < 0.01) return [250, 204, 21];
  const hill = 0.65 + 0.08 * Math.sin(u * 9);
  if (v > hill) return [22 + 40 * v, 101 + 30 * Math.sin(u * 20), 52];
  return [56 + 120 * v, 130 + 80 * v, 230];
};
make('landscape-400.png', 400, 250, scene);
make('landscape-800.png', 800, 500, scene);
// a different image used only by the wide <source>, so a wrong pick is visible
make('banner-wide.png', 1200, 200, (x, y, w, h) => [200 - 120 * (x / w), 60 + 100 * (y / h), 90 + 100 * (x / w)]);
// a tile for a repeating CSS background
make('tile.png', 24, 24, (x, y) => ((x < 12) !== (y < 12) ? [226, 232, 240] : [248, 250, 252]));
