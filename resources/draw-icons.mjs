#!/usr/bin/env node
/**
 * Draws the tray and app icons into resources/ with nothing but Node built-ins: shapes as signed
 * distance functions, 4×4 supersampling for anti-aliasing, PNG written with zlib, ICO as a folder
 * of PNG images. Run `node resources/draw-icons.mjs` after changing a shape; the outputs are
 * committed, so builds do not need this script.
 *
 * Tray states: idle (ok), syncing, paused, error, needs-auth, offline.
 *   <state>.png / <state>@2x.png                   16 / 32 px, coloured (Linux; Windows uses .ico)
 *   <state>Template.png / <state>Template@2x.png   black + alpha, macOS template images
 *   <state>.ico                                    16, 24, 32, 48 px
 * App icon: icon.png (512 px), icon.ico (16–256 px), icons/<n>x<n>.png (Linux icon set).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = dirname(fileURLToPath(import.meta.url));

// ---- PNG and ICO ------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** RGBA pixels (Uint8Array, size*size*4) → PNG bytes. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** PNG images of distinct sizes → one .ico (PNG-compressed entries, Windows Vista and later). */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

// ---- shapes (unit square, y down; negative distance = inside) ---------------------------------

const len = (x, y) => Math.hypot(x, y);
const circle = (cx, cy, r) => (x, y) => len(x - cx, y - cy) - r;
const ring = (cx, cy, r, w) => (x, y) => Math.abs(len(x - cx, y - cy) - r) - w / 2;
const capsule = (ax, ay, bx, by, w) => (x, y) => {
  const px = x - ax;
  const py = y - ay;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return len(px - dx * t, py - dy * t) - w / 2;
};
const rect =
  (x0, y0, x1, y1, r = 0) =>
  (x, y) => {
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r);
    const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r);
    return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  };
/** Part of a ring between two angles (degrees, clockwise from 3 o'clock since y points down). */
const arc = (cx, cy, r, w, from, to) => (x, y) => {
  let a = (Math.atan2(y - cy, x - cx) * 180) / Math.PI;
  if (a < 0) a += 360;
  const inside = from <= to ? a >= from && a <= to : a >= from || a <= to;
  if (inside) return Math.abs(len(x - cx, y - cy) - r) - w / 2;
  const end = (deg) => [cx + r * Math.cos((deg * Math.PI) / 180), cy + r * Math.sin((deg * Math.PI) / 180)];
  const [ax, ay] = end(from);
  const [bx, by] = end(to);
  return Math.min(len(x - ax, y - ay), len(x - bx, y - by)) - w / 2;
};
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const side = (px, py, qx, qy) => (qx - px) * (y - py) - (qy - py) * (x - px);
  const d1 = side(ax, ay, bx, by);
  const d2 = side(bx, by, cx, cy);
  const d3 = side(cx, cy, ax, ay);
  const inside = (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
  return inside ? -0.001 : 1;
};
const union =
  (...shapes) =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));

// ---- glyphs -----------------------------------------------------------------------------------

/** Each glyph is drawn inside a disk of radius ~0.3 around the centre. */
const GLYPHS = {
  idle: union(capsule(0.3, 0.52, 0.44, 0.66, 0.11), capsule(0.44, 0.66, 0.71, 0.36, 0.11)),
  // One arc with one arrowhead reads better at 16 px than two.
  syncing: union(arc(0.5, 0.5, 0.21, 0.1, 60, 330), triangle(0.58, 0.2, 0.8, 0.3, 0.6, 0.42)),
  paused: union(rect(0.34, 0.3, 0.45, 0.7, 0.03), rect(0.55, 0.3, 0.66, 0.7, 0.03)),
  error: union(capsule(0.5, 0.28, 0.5, 0.56, 0.12), circle(0.5, 0.72, 0.07)),
  'needs-auth': union(rect(0.32, 0.47, 0.68, 0.74, 0.04), arc(0.5, 0.46, 0.12, 0.08, 180, 360)),
  offline: capsule(0.3, 0.3, 0.7, 0.7, 0.1),
};

const COLORS = {
  idle: [46, 158, 79],
  syncing: [47, 111, 214],
  paused: [122, 127, 135],
  error: [210, 59, 59],
  'needs-auth': [217, 139, 11],
  offline: [122, 127, 135],
};

// ---- rasteriser -------------------------------------------------------------------------------

/** Layers are painted in order: { shape, color: [r,g,b,a 0..1] }; alpha 0 with erase cuts a hole. */
function render(size, layers) {
  const px = new Float64Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (const layer of layers) {
        let hits = 0;
        for (let sy = 0; sy < S; sy++) {
          for (let sx = 0; sx < S; sx++) {
            const u = (x + (sx + 0.5) / S) / size;
            const v = (y + (sy + 0.5) / S) / size;
            if (layer.shape(u, v) <= 0) hits++;
          }
        }
        const cover = hits / (S * S);
        if (cover === 0) continue;
        const i = (y * size + x) * 4;
        if (layer.erase) {
          px[i + 3] *= 1 - cover;
          continue;
        }
        const [r, g, b, a = 1] = layer.color;
        const srcA = a * cover;
        const dstA = px[i + 3];
        const outA = srcA + dstA * (1 - srcA);
        for (const [k, c] of [
          [0, r],
          [1, g],
          [2, b],
        ]) {
          px[i + k] = outA === 0 ? 0 : (c * srcA + px[i + k] * dstA * (1 - srcA)) / outA;
        }
        px[i + 3] = outA;
      }
    }
  }
  const bytes = new Uint8Array(size * size * 4);
  for (let i = 0; i < px.length; i += 4) {
    bytes[i] = Math.round(px[i]);
    bytes[i + 1] = Math.round(px[i + 1]);
    bytes[i + 2] = Math.round(px[i + 2]);
    bytes[i + 3] = Math.round(px[i + 3] * 255);
  }
  return bytes;
}

const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];

export function colouredTray(state, size) {
  const color = COLORS[state];
  if (state === 'offline') {
    // Hollow: no connection.
    return render(size, [
      { shape: ring(0.5, 0.5, 0.4, 0.1), color },
      { shape: GLYPHS.offline, color },
    ]);
  }
  return render(size, [
    { shape: circle(0.5, 0.5, 0.46), color },
    { shape: GLYPHS[state], color: WHITE },
  ]);
}

export function templateTray(state, size) {
  // macOS template: black shapes, meaning carried by alpha only. A full disk with the glyph cut out.
  if (state === 'offline') {
    return render(size, [
      { shape: ring(0.5, 0.5, 0.4, 0.1), color: BLACK },
      { shape: GLYPHS.offline, color: BLACK },
    ]);
  }
  return render(size, [
    { shape: circle(0.5, 0.5, 0.46), color: BLACK },
    { shape: GLYPHS[state], erase: true },
  ]);
}

export function appIcon(size) {
  const navy = [29, 59, 110];
  return render(size, [
    { shape: rect(0.06, 0.06, 0.94, 0.94, 0.2), color: navy },
    { shape: arc(0.5, 0.5, 0.27, 0.08, 200, 340), color: WHITE },
    { shape: triangle(0.74, 0.3, 0.86, 0.48, 0.66, 0.47), color: WHITE },
    { shape: arc(0.5, 0.5, 0.27, 0.08, 20, 160), color: WHITE },
    { shape: triangle(0.26, 0.7, 0.14, 0.52, 0.34, 0.53), color: WHITE },
    { shape: circle(0.5, 0.5, 0.1), color: COLORS.idle },
  ]);
}

// ---- outputs ----------------------------------------------------------------------------------

const write = (path, data) => {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), data);
};

export const STATES = Object.keys(COLORS);

export function drawAll() {
  for (const state of STATES) {
    write(`tray/${state}.png`, encodePng(16, colouredTray(state, 16)));
    write(`tray/${state}@2x.png`, encodePng(32, colouredTray(state, 32)));
    write(`tray/${state}Template.png`, encodePng(16, templateTray(state, 16)));
    write(`tray/${state}Template@2x.png`, encodePng(32, templateTray(state, 32)));
    write(
      `tray/${state}.ico`,
      encodeIco([16, 24, 32, 48].map((size) => ({ size, png: encodePng(size, colouredTray(state, size)) }))),
    );
  }
  const appSizes = [16, 32, 48, 64, 128, 256, 512];
  const pngs = new Map(appSizes.map((size) => [size, encodePng(size, appIcon(size))]));
  for (const size of appSizes) write(`icons/${size}x${size}.png`, pngs.get(size));
  write('icon.png', pngs.get(512));
  write('icon.ico', encodeIco([16, 32, 48, 256].map((size) => ({ size, png: pngs.get(size) }))));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  drawAll();
  console.log(
    `draw-icons: wrote resources/tray, resources/icons, icon.png, icon.ico (${Date.now() - started} ms)`,
  );
}
