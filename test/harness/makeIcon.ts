/**
 * Draws the extension's 128x128 marketplace icon, media/icon.png: the handset and record lines of
 * media/tcxc.svg in white on a rounded blue square, which reads on light and dark backgrounds.
 *
 * CLI: node out/test/harness/makeIcon.js [OUTPUT]   (default: media/icon.png)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Side of the icon in pixels. */
export const ICON_SIZE = 128;

/** Strokes of media/tcxc.svg, in its 24x24 view box. */
const GLYPH_PATHS = [
  'M5 4h3l1.5 4-2 1.3a10 10 0 0 0 4.2 4.2l1.3-2 4 1.5v3a2 2 0 0 1-2 2A14 14 0 0 1 3 6a2 2 0 0 1 2-2z',
  'M14 3h7M14 7h5M14 11h3',
];
const VIEW_BOX = 24;
/** A little wider than the SVG's 1.6, so the strokes stay clear when the icon is shown small. */
const STROKE_WIDTH = 1.8;
/** Pixels between the square's edge and the view box. */
const GLYPH_MARGIN = 22;
const CORNER_RADIUS = 24;
const BACKGROUND: Rgb = [0x1f, 0x6f, 0xb2];
const FOREGROUND: Rgb = [0xff, 0xff, 0xff];
/** Samples per pixel along each axis, for anti-aliased edges. */
const SUPERSAMPLING = 4;
/** Straight segments per radian of an elliptical arc. */
const ARC_SEGMENTS_PER_RADIAN = 12;

type Rgb = readonly [number, number, number];
type Point = readonly [number, number];
/** A polyline: one subpath of an SVG path, flattened. */
type Polyline = Point[];

/**
 * Flattens SVG path data into polylines. Supports the commands M, L, H, V, A and Z in absolute
 * and relative form, which is all media/tcxc.svg uses.
 */
export function flattenPath(data: string): Polyline[] {
  const tokens = data.match(/[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/g) ?? [];
  const polylines: Polyline[] = [];
  let current: Polyline = [];
  let x = 0;
  let y = 0;
  let command = '';
  let index = 0;
  const nextNumber = () => {
    const token = tokens[index++];
    const value = Number(token);
    if (token === undefined || Number.isNaN(value)) {
      throw new Error(`Invalid path data: expected a number at token ${index} of "${data}".`);
    }
    return value;
  };

  while (index < tokens.length) {
    if (/[A-Za-z]/.test(tokens[index])) {
      command = tokens[index++];
    }
    const relative = command === command.toLowerCase();
    const baseX = relative ? x : 0;
    const baseY = relative ? y : 0;
    switch (command.toUpperCase()) {
      case 'M':
        if (current.length > 1) {
          polylines.push(current);
        }
        x = baseX + nextNumber();
        y = baseY + nextNumber();
        current = [[x, y]];
        // SVG's path grammar makes further coordinate pairs after a moveto implicit linetos.
        command = relative ? 'l' : 'L';
        break;
      case 'L':
        x = baseX + nextNumber();
        y = baseY + nextNumber();
        current.push([x, y]);
        break;
      case 'H':
        x = baseX + nextNumber();
        current.push([x, y]);
        break;
      case 'V':
        y = baseY + nextNumber();
        current.push([x, y]);
        break;
      case 'A': {
        const rx = nextNumber();
        const ry = nextNumber();
        const rotation = nextNumber();
        const largeArc = nextNumber() !== 0;
        const sweep = nextNumber() !== 0;
        const endX = baseX + nextNumber();
        const endY = baseY + nextNumber();
        current.push(...flattenArc([x, y], [endX, endY], rx, ry, rotation, largeArc, sweep));
        x = endX;
        y = endY;
        break;
      }
      case 'Z':
        if (current.length > 0) {
          current.push(current[0]);
          [x, y] = current[0];
          polylines.push(current);
          current = [[x, y]];
        }
        break;
      default:
        throw new Error(`Unsupported path command "${command}" in "${data}".`);
    }
  }
  if (current.length > 1) {
    polylines.push(current);
  }
  return polylines;
}

/**
 * Returns the points after `start` of an elliptical arc. The arc is converted from SVG's endpoint
 * parameterization to its centre parameterization, with radii that are too small scaled up, as
 * the SVG 2 implementation notes describe in appendix B.2, "Elliptical arc parameter conversion".
 */
function flattenArc(
  start: Point,
  end: Point,
  radiusX: number,
  radiusY: number,
  rotationDegrees: number,
  largeArc: boolean,
  sweep: boolean,
): Point[] {
  let rx = Math.abs(radiusX);
  let ry = Math.abs(radiusY);
  if (rx === 0 || ry === 0 || (start[0] === end[0] && start[1] === end[1])) {
    return [end];
  }
  const phi = (rotationDegrees * Math.PI) / 180;
  const cos = Math.cos(phi);
  const sin = Math.sin(phi);
  const halfDx = (start[0] - end[0]) / 2;
  const halfDy = (start[1] - end[1]) / 2;
  const x1 = cos * halfDx + sin * halfDy;
  const y1 = -sin * halfDx + cos * halfDy;

  const lambda = (x1 * x1) / (rx * rx) + (y1 * y1) / (ry * ry);
  if (lambda > 1) {
    rx *= Math.sqrt(lambda);
    ry *= Math.sqrt(lambda);
  }
  const numerator = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1;
  const denominator = rx * rx * y1 * y1 + ry * ry * x1 * x1;
  const sign = largeArc === sweep ? -1 : 1;
  const factor = sign * Math.sqrt(Math.max(0, numerator / denominator));
  const cx1 = (factor * rx * y1) / ry;
  const cy1 = (-factor * ry * x1) / rx;
  const centerX = cos * cx1 - sin * cy1 + (start[0] + end[0]) / 2;
  const centerY = sin * cx1 + cos * cy1 + (start[1] + end[1]) / 2;

  const angle = (ux: number, uy: number, vx: number, vy: number) =>
    Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
  const startAngle = angle(1, 0, (x1 - cx1) / rx, (y1 - cy1) / ry);
  let sweepAngle = angle((x1 - cx1) / rx, (y1 - cy1) / ry, (-x1 - cx1) / rx, (-y1 - cy1) / ry);
  if (!sweep && sweepAngle > 0) {
    sweepAngle -= 2 * Math.PI;
  } else if (sweep && sweepAngle < 0) {
    sweepAngle += 2 * Math.PI;
  }

  const segments = Math.max(2, Math.ceil(Math.abs(sweepAngle) * ARC_SEGMENTS_PER_RADIAN));
  const points: Point[] = [];
  for (let step = 1; step <= segments; step++) {
    const theta = startAngle + (sweepAngle * step) / segments;
    const ex = rx * Math.cos(theta);
    const ey = ry * Math.sin(theta);
    points.push([centerX + cos * ex - sin * ey, centerY + sin * ex + cos * ey]);
  }
  // The last point is the arc's end point exactly, so the next command starts from there.
  points[points.length - 1] = end;
  return points;
}

function distanceToSegment(px: number, py: number, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const lengthSquared = dx * dx + dy * dy;
  const t =
    lengthSquared === 0
      ? 0
      : Math.min(1, Math.max(0, ((px - a[0]) * dx + (py - a[1]) * dy) / lengthSquared));
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}

/** True when (px, py) lies within half the stroke width of a polyline, which gives round caps. */
function insideStroke(px: number, py: number, polylines: readonly Polyline[]): boolean {
  const halfWidth = STROKE_WIDTH / 2;
  for (const polyline of polylines) {
    for (let i = 1; i < polyline.length; i++) {
      if (distanceToSegment(px, py, polyline[i - 1], polyline[i]) <= halfWidth) {
        return true;
      }
    }
  }
  return false;
}

function insideRoundedSquare(px: number, py: number): boolean {
  const nearestX = Math.min(Math.max(px, CORNER_RADIUS), ICON_SIZE - CORNER_RADIUS);
  const nearestY = Math.min(Math.max(py, CORNER_RADIUS), ICON_SIZE - CORNER_RADIUS);
  return Math.hypot(px - nearestX, py - nearestY) <= CORNER_RADIUS;
}

/** Renders the icon as straight (not premultiplied) RGBA, row by row from the top. */
export function renderIcon(): Buffer {
  const polylines = GLYPH_PATHS.flatMap(flattenPath);
  const scale = (ICON_SIZE - 2 * GLYPH_MARGIN) / VIEW_BOX;
  const pixels = Buffer.alloc(ICON_SIZE * ICON_SIZE * 4);
  const samples = SUPERSAMPLING * SUPERSAMPLING;

  for (let row = 0; row < ICON_SIZE; row++) {
    for (let column = 0; column < ICON_SIZE; column++) {
      let covered = 0;
      let stroked = 0;
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const px = column + (sx + 0.5) / SUPERSAMPLING;
          const py = row + (sy + 0.5) / SUPERSAMPLING;
          if (!insideRoundedSquare(px, py)) {
            continue;
          }
          covered++;
          const glyphX = (px - GLYPH_MARGIN) / scale;
          const glyphY = (py - GLYPH_MARGIN) / scale;
          if (insideStroke(glyphX, glyphY, polylines)) {
            stroked++;
          }
        }
      }
      const offset = (row * ICON_SIZE + column) * 4;
      // Every stroked sample lies inside the square, so the colour is the mix of the covered ones.
      const foregroundShare = covered === 0 ? 0 : stroked / covered;
      for (let channel = 0; channel < 3; channel++) {
        pixels[offset + channel] = Math.round(
          BACKGROUND[channel] + (FOREGROUND[channel] - BACKGROUND[channel]) * foregroundShare,
        );
      }
      pixels[offset + 3] = Math.round((255 * covered) / samples);
    }
  }
  return pixels;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes straight RGBA pixels as a PNG: 8 bits per channel, colour type 6, no filtering. */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  if (rgba.length !== width * height * 4) {
    throw new Error(`Expected ${width * height * 4} bytes of RGBA, got ${rgba.length}.`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  // Bytes 10 to 12 stay 0: deflate compression, adaptive filtering, no interlace.

  const stride = width * 4;
  const scanlines = Buffer.alloc(height * (stride + 1));
  for (let row = 0; row < height; row++) {
    // Each scanline starts with its filter type, 0 (None).
    rgba.copy(scanlines, row * (stride + 1) + 1, row * stride, (row + 1) * stride);
  }

  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(scanlines, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Writes the icon to `file` and returns the file's path. */
export function writeIcon(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng(ICON_SIZE, ICON_SIZE, renderIcon()));
  return file;
}

if (require.main === module) {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const output = path.resolve(process.argv[2] ?? path.join(repoRoot, 'media', 'icon.png'));
  console.log(`Wrote ${writeIcon(output)}`);
}
