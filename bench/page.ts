// What the browser bench pages (edit-page, optimize-page, sliders-page) share: fetching the bundle's
// files, and handing the measurement to the driver that opened the page, which polls
// window.__bench for { result } or { error }.

/** The bytes at `url`; an HTTP error names the URL and the status. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The message and stack of a failure, for the driver to print. */
function errorWithStack(e: unknown): Record<string, unknown> {
  return { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
}

/** Shows the result (or the failure) in `out` and leaves it in window.__bench. */
export function publishResult(
  measurement: Promise<unknown>,
  out: HTMLElement,
  describeError: (e: unknown) => Record<string, unknown> = errorWithStack,
): void {
  measurement.then(
    (result) => {
      out.textContent = JSON.stringify(result, null, 2);
      Object.assign(window, { __bench: { result } });
    },
    (e: unknown) => {
      out.textContent = String(e);
      Object.assign(window, { __bench: describeError(e) });
    },
  );
}
