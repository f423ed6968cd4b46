// build.mjs: builds armsflow's frontend into static/dist, which the Go
// binary embeds (package static). Run by `make assets`; needs only
// static/node_modules (npm ci). Nothing is fetched.
//
//   dist/index.html, dist/embed.html     the pages
//   dist/assets/main.js, embed.js        the app, bundled by esbuild (ES modules)
//   dist/assets/app.css                  its styles
//   dist/assets/maplibre-gl.mjs          MapLibre GL JS as shipped (+ worker, CSS, licence)
//   dist/fonts/DejaVuSans*.ttf, LICENSE  the label fonts; the server renders glyph PBFs from them
//   *.gz                                 gzip siblings the server sends to clients that take gzip
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const nm = join(here, 'node_modules');

// Empty dist but keep the committed placeholder go:embed needs.
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name !== '.gitkeep') rmSync(join(dist, name), { recursive: true, force: true });
}
mkdirSync(join(dist, 'assets'), { recursive: true });
mkdirSync(join(dist, 'fonts'), { recursive: true });

// MapLibre stays a separate module next to the bundle: its worker is found
// relative to maplibre-gl.mjs's own URL.
const maplibreExternal = {
  name: 'maplibre-external',
  setup(build) {
    build.onResolve({ filter: /^maplibre-gl$/ }, () => ({ path: './maplibre-gl.mjs', external: true }));
  },
};

await esbuild.build({
  entryPoints: { main: join(here, 'src/main.js'), embed: join(here, 'src/embed.js'), app: join(here, 'src/app.css') },
  outdir: join(dist, 'assets'),
  bundle: true,
  splitting: true, // main and embed share their code in one chunk
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  plugins: [maplibreExternal],
  logLevel: 'warning',
});

const copy = (from, to) => copyFileSync(join(nm, from), join(dist, to));
copy('maplibre-gl/dist/maplibre-gl.mjs', 'assets/maplibre-gl.mjs');
copy('maplibre-gl/dist/maplibre-gl-worker.mjs', 'assets/maplibre-gl-worker.mjs');
copy('maplibre-gl/dist/maplibre-gl.css', 'assets/maplibre-gl.css');
copy('maplibre-gl/LICENSE.txt', 'assets/maplibre-gl.LICENSE.txt');
copy('dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'fonts/DejaVuSans.ttf');
copy('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf', 'fonts/DejaVuSans-Bold.ttf');
copy('dejavu-fonts-ttf/LICENSE', 'fonts/LICENSE');
for (const page of ['index.html', 'embed.html']) copyFileSync(join(here, page), join(dist, page));

// gzip siblings for text assets.
const walk = (dir) => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? walk(p) : [p];
});
let files = 0, bytes = 0;
for (const p of walk(dist)) {
  if (!/\.(html|js|mjs|css|txt|map)$/.test(p)) continue;
  const body = readFileSync(p);
  writeFileSync(p + '.gz', gzipSync(body, { level: constants.Z_BEST_COMPRESSION }));
  files++;
  bytes += body.length;
}
console.log(`static/dist built: ${files} text files (${(bytes / 1e6).toFixed(1)} MB before gzip)`);
