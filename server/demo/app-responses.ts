// What the demo's apps answer, as pure functions: the lab's backends answer with their version the way
// its images do (v1 runs nginx, v2 httpd: the lab tells them apart by the first bytes of the page), and
// the bookinfo-like services answer JSON shaped like bookinfo's (details, reviews with or without stars,
// ratings) and a product page that combines them.

export interface AppReply {
  status: number;
  contentType: string;
  body: string;
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json';

function json(status: number, value: unknown): AppReply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

/** The lab's backend page: nginx-like for v1, httpd-like for v2, naming the version either way. */
export function labBackendPage(version: string): AppReply {
  const body =
    version === 'v1'
      ? `<!DOCTYPE html>\n<html>\n<head><title>nginx-like backend ${version}</title></head>\n<body>\n<h1>backend ${version}</h1>\n<p>Served like the lab's nginx:1.25-alpine pod.</p>\n</body>\n</html>\n`
      : `<html><body><h1>It works! backend ${version}</h1><p>Served like the lab's httpd:2.4-alpine pod.</p></body></html>\n`;
  return { status: 200, contentType: HTML, body };
}

export function notFound(path: string): AppReply {
  return json(404, { error: `no such path: ${path}` });
}

/** `/details/<id>`: a book's particulars. */
export function detailsReply(id: number): AppReply {
  return json(200, {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'Meshscope Demo Press',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  });
}

export interface Rating {
  stars: number;
  color: string;
}

/** `/ratings/<id>`: stars per reviewer. */
export function ratingsReply(id: number): AppReply {
  return json(200, { id, ratings: { Reviewer1: 5, Reviewer2: 4 } });
}

/** Stars per reviewer from a ratings reply body, or undefined when it cannot be read. */
export function parseRatings(body: string): Record<string, number> | undefined {
  try {
    const r = (JSON.parse(body) as { ratings?: unknown }).ratings;
    if (typeof r !== 'object' || r === null) return undefined;
    return Object.fromEntries(
      Object.entries(r).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  } catch {
    return undefined;
  }
}

const REVIEWS = [
  {
    reviewer: 'Reviewer1',
    text: 'A farce that never lets up: two pairs of twins and nobody knows who is who.',
  },
  { reviewer: 'Reviewer2', text: 'Short and quick; the mix-ups pile up nicely towards the end.' },
];

/**
 * `/reviews/<id>`. v1 shows no stars; v2 (black) and v3 (red) add each reviewer's rating, or the error
 * bookinfo shows when ratings could not be fetched (`ratings` undefined).
 */
export function reviewsReply(
  id: number,
  workload: string,
  version: string,
  ratings: Record<string, number> | undefined,
): AppReply {
  const color = version === 'v3' ? 'red' : 'black';
  const reviews = REVIEWS.map((r) => {
    if (version === 'v1') return r;
    const stars = ratings?.[r.reviewer];
    return {
      ...r,
      rating: stars === undefined ? { error: 'Ratings service is currently unavailable' } : { stars, color },
    };
  });
  return json(200, { id, podname: workload, clustername: 'null', reviews });
}

/** What the product page shows of one dependency: its JSON, or the error it got instead. */
export type Fetched = { ok: true; value: unknown } | { ok: false; error: string };

/** `/api/v1/products/<id>`: the product with its details and reviews. */
export function productReply(id: number, details: Fetched, reviews: Fetched): AppReply {
  return json(200, {
    id,
    title: 'The Comedy of Errors',
    details: details.ok
      ? details.value
      : { error: `Sorry, product details are currently unavailable (${details.error})` },
    reviews: reviews.ok
      ? reviews.value
      : { error: `Sorry, product reviews are currently unavailable (${reviews.error})` },
  });
}

/** `/productpage`: the same as a page (bookinfo answers 200 and shows an error in place of what failed). */
export function productPage(details: Fetched, reviews: Fetched): AppReply {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
  const section = (title: string, f: Fetched) =>
    `<h2>${title}</h2>\n<pre>${esc(f.ok ? JSON.stringify(f.value, null, 2) : `Error: ${f.error}`)}</pre>\n`;
  const body = `<!DOCTYPE html>\n<html><head><title>Simple Bookstore App</title></head><body>\n<h1>The Comedy of Errors</h1>\n${section('Book Details', details)}${section('Book Reviews', reviews)}</body></html>\n`;
  return { status: 200, contentType: HTML, body };
}

/** The numeric id at the end of `/<prefix>/<id>`, or undefined when the path is something else. */
export function idFromPath(path: string, prefix: string): number | undefined {
  const m = new RegExp(`^/${prefix}/(\\d{1,9})$`).exec(path);
  return m ? Number(m[1]) : undefined;
}
