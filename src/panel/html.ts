/**
 * The HTML document of the CDR panel. The script builds the whole interface, so the document only
 * sets the content security policy and loads the stylesheet and the script.
 */

export interface PanelHtmlOptions {
  /** The webview's `cspSource`: the origin that serves the panel's stylesheet and images. */
  readonly cspSource: string;
  /** A fresh random value per render. Only the script tag that carries it may run. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
}

const NONCE = /^[A-Za-z0-9-]+$/;

// A semicolon or comma would end the directive and let the value add directives of its own.
// eslint-disable-next-line no-control-regex -- control characters are what this rejects.
const POLICY_BREAK = /[;,\u0000-\u001f\u007f]/;

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
};

/** Escapes text for a quoted HTML attribute value. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&"'<>]/g, (character) => ATTRIBUTE_ESCAPES[character]);
}

/**
 * Renders the panel's document. Throws a RangeError for a nonce that is not `[A-Za-z0-9-]+`, and
 * for a `cspSource` with a semicolon, comma or control character.
 */
export function renderPanelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri } = options;
  if (!NONCE.test(nonce)) {
    throw new RangeError('Invalid nonce: expected letters, digits and hyphens only');
  }
  if (cspSource.trim() === '' || POLICY_BREAK.test(cspSource)) {
    throw new RangeError(
      'Invalid cspSource: expected source expressions without semicolons, commas or line breaks',
    );
  }
  const source = escapeAttribute(cspSource);
  const policy = [
    "default-src 'none'",
    `style-src ${source}`,
    `img-src ${source} data:`,
    `font-src ${source}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${policy};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>TCXC CDRs</title>
</head>
<body>
<main id="app" class="panel" aria-busy="true">
<p class="panel-loading">Loading the CDR panel…</p>
</main>
<script nonce="${nonce}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}
