import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ICON_SIZE, encodePng, flattenPath, renderIcon } from '../harness/makeIcon';

const iconFile = path.resolve(__dirname, '..', '..', '..', 'media', 'icon.png');

interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** Inflated IDAT data: each scanline with its filter byte in front. */
  scanlines: Buffer;
}

/** Reads the header and image data of a PNG, checking each chunk's CRC. */
function decodePng(png: Buffer): DecodedPng {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    assert.equal(crc, zlib.crc32(png.subarray(offset + 4, offset + 8 + length)), `CRC of ${type}`);
    if (type === 'IHDR') {
      header = body;
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  assert.ok(header, 'the PNG has no IHDR chunk');
  return {
    width: header.readUInt32BE(0),
    height: header.readUInt32BE(4),
    bitDepth: header[8],
    colourType: header[9],
    scanlines: zlib.inflateSync(Buffer.concat(data)),
  };
}

describe('extension icon', () => {
  it('is a 128x128 RGBA PNG', () => {
    const png = decodePng(fs.readFileSync(iconFile));
    assert.equal(png.width, 128);
    assert.equal(png.height, 128);
    assert.equal(png.bitDepth, 8);
    assert.equal(png.colourType, 6);
  });

  it('matches what makeIcon draws', () => {
    const committed = decodePng(fs.readFileSync(iconFile)).scanlines;
    const drawn = decodePng(encodePng(ICON_SIZE, ICON_SIZE, renderIcon())).scanlines;
    assert.ok(
      committed.equals(drawn),
      'media/icon.png is out of date: run node out/test/harness/makeIcon.js',
    );
  });

  it('has transparent corners and an opaque centre', () => {
    const pixels = renderIcon();
    const alphaAt = (x: number, y: number) => pixels[(y * ICON_SIZE + x) * 4 + 3];
    assert.equal(alphaAt(0, 0), 0);
    assert.equal(alphaAt(ICON_SIZE - 1, ICON_SIZE - 1), 0);
    assert.equal(alphaAt(ICON_SIZE / 2, ICON_SIZE / 2), 255);
  });
});

describe('flattenPath', () => {
  it('follows a half-circle arc through its apex', () => {
    const [polyline] = flattenPath('M0 0A1 1 0 0 1 2 0');
    assert.deepEqual(polyline[0], [0, 0]);
    assert.deepEqual(polyline.at(-1), [2, 0]);
    // With the sweep flag set, SVG draws the arc clockwise on screen (y down): through (1, -1).
    const apex = polyline.reduce((best, point) => (point[1] < best[1] ? point : best));
    assert.ok(Math.abs(apex[0] - 1) < 0.01, `apex x is ${apex[0]}`);
    assert.ok(Math.abs(apex[1] + 1) < 0.01, `apex y is ${apex[1]}`);
  });

  it('repeats an implicit lineto and closes the subpath', () => {
    const [polyline] = flattenPath('m1 1 2 0 0 2z');
    assert.deepEqual(polyline, [
      [1, 1],
      [3, 1],
      [3, 3],
      [1, 1],
    ]);
  });

  it('splits subpaths at each moveto', () => {
    const polylines = flattenPath('M14 3h7M14 7h5');
    assert.equal(polylines.length, 2);
    assert.deepEqual(polylines[1], [
      [14, 7],
      [19, 7],
    ]);
  });

  it('rejects an unsupported command', () => {
    assert.throws(() => flattenPath('M0 0C1 1 2 2 3 3'), /Unsupported path command "C"/);
  });
});
