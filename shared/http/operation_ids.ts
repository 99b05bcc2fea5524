/**
 * Operation ids derived from method and path, for operations whose route sets none: a client
 * generator names its methods after them, so they are stable, camelCase and unique.
 */

/** `post /queue-job/jobs/{id}/cancel` under `/queue-job` → `postJobsByIdCancel`; unique in `taken`. */
export function operationIdFor(
  method: string,
  path: string,
  basePath: string,
  taken: ReadonlySet<string>,
): string {
  const relative = path.startsWith(basePath) ? path.slice(basePath.length) : path;
  // The function's root route is named after the function (`postQueueJob`).
  const segments = relative.split("/").filter(Boolean);
  const words = (segments.length ? segments : basePath.split("/").filter(Boolean))
    .map((segment) => {
      const param = segment.match(/^\{(.+)\}$/);
      return param ? `By${pascal(param[1])}` : pascal(segment);
    });
  const base = method.toLowerCase() + words.join("");
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  return id;
}

function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join("");
}
