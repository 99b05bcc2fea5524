import { assertEquals } from "../../tests/support/assert.ts";
import { isAllowedOutputUrl, providerEndpoint, type ProviderRow } from "./provider_config.ts";

const REPLICATE = ["replicate.delivery"];

/** Each URL against the allowlist, as [url, verdict] pairs, so a failure names the URL. */
function verdicts(urls: string[], hosts: string[]): [string, boolean][] {
  return urls.map((url) => [url, isAllowedOutputUrl(url, hosts)]);
}

Deno.test("isAllowedOutputUrl accepts https on an allowed host and its subdomains, any case or port", () => {
  const urls = [
    "https://replicate.delivery/a.png",
    "https://pbxt.replicate.delivery/x/out-0.png",
    "https://a.b.replicate.delivery/out.webp",
    "https://REPLICATE.Delivery/a.png",
    // The allowlist is of hosts; a provider's CDN may serve on any port.
    "https://replicate.delivery:8443/a.png",
    // WHATWG URL decodes the host before we compare it.
    "https://replicate%2Edelivery/a.png",
  ];
  assertEquals(verdicts(urls, REPLICATE), urls.map((u) => [u, true]));
});

Deno.test("isAllowedOutputUrl refuses look-alike hosts, a host hidden behind userinfo, and other hosts", () => {
  const urls = [
    "https://evilreplicate.delivery/a.png",
    "https://replicate.delivery.evil.test/a.png",
    "https://replicate.delivery./a.png",
    "https://delivery/a.png",
    "https://r\u0435plicate.delivery/a.png", // Cyrillic "е": punycode, another host
    // The real host is evil.test in each of these.
    "https://replicate.delivery@evil.test/a.png",
    "https://evil.test#@replicate.delivery/a.png",
    "https://evil.test?@replicate.delivery/a.png",
    "https://evil.test\\@replicate.delivery/a.png",
    // Credentials in an output URL are never legitimate, even on the right host.
    "https://user:pw@replicate.delivery/a.png",
    "https://user@replicate.delivery/a.png",
  ];
  assertEquals(verdicts(urls, REPLICATE), urls.map((u) => [u, false]));
});

Deno.test("isAllowedOutputUrl refuses plain http, other schemes and malformed URLs off loopback", () => {
  const urls = [
    "http://replicate.delivery/a.png",
    "http://pbxt.replicate.delivery/a.png",
    "ftp://replicate.delivery/a.png",
    "ws://replicate.delivery/a.png",
    "file:///etc/passwd",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
    "//replicate.delivery/a.png",
    "replicate.delivery/a.png",
    "not a url",
    "",
  ];
  assertEquals(verdicts(urls, REPLICATE), urls.map((u) => [u, false]));
});

Deno.test("isAllowedOutputUrl allows http only on loopback, and only when that host is listed", () => {
  const loopback = ["127.0.0.1", "localhost", "[::1]"];
  const allowed = [
    "http://127.0.0.1:54321/a.png",
    "http://localhost:8080/a.png",
    "http://LOCALHOST/a.png",
    "http://[::1]:9/a.png",
    "http://[0:0:0:0:0:0:0:1]/a.png",
    // Other spellings of 127.0.0.1 are parsed to it, so they are the same host.
    "http://2130706433/a.png",
    "http://0x7f.1/a.png",
    "http://0177.0.0.1/a.png",
    "http://127.1/a.png",
  ];
  assertEquals(verdicts(allowed, loopback), allowed.map((u) => [u, true]));
  const refused = [
    // Not in the short loopback list, so http is refused even where the host is listed.
    "http://127.0.0.2/a.png",
    "http://[::ffff:127.0.0.1]/a.png",
    "http://localhost.evil.test/a.png",
    "http://127.0.0.1.evil.test/a.png",
  ];
  assertEquals(
    verdicts(refused, [...loopback, "127.0.0.2", "evil.test"]),
    refused.map((u) => [u, false]),
  );
  // Loopback relaxes the scheme, never the allowlist.
  assertEquals(verdicts(["http://127.0.0.1/a.png", "http://localhost/a.png"], ["localhost"]), [
    ["http://127.0.0.1/a.png", false],
    ["http://localhost/a.png", true],
  ]);
  assertEquals(isAllowedOutputUrl("http://127.0.0.1/a.png", REPLICATE), false);
  assertEquals(isAllowedOutputUrl("https://2130706433/a.png", REPLICATE), false);
});

Deno.test("isAllowedOutputUrl refuses everything when nothing is allowed", () => {
  assertEquals(isAllowedOutputUrl("https://replicate.delivery/a.png", []), false);
  assertEquals(isAllowedOutputUrl("http://127.0.0.1/a.png", []), false);
});

Deno.test("providerEndpoint lowercases the allowed hosts and lets <NAME>_OUTPUT_HOSTS replace them", () => {
  const row: ProviderRow = {
    id: "00000000-0000-0000-0000-000000000001",
    name: "my-provider",
    adapter: "replicate",
    base_url: "https://api.example.test/v1/",
    auth_scheme: "none",
    auth_header_name: "Authorization",
    secret_name: null,
    webhook_secret_name: null,
    rate_limits: {},
    allowed_output_hosts: ["Files.Example.TEST"],
    is_active: true,
    updated_at: "2026-01-01T00:00:00Z",
  };
  const endpoint = (env: Record<string, string>) => {
    const ep = providerEndpoint(row, (k) => env[k], () => undefined);
    if ("missingSecret" in ep) throw new Error(`unexpected missing secret ${ep.missingSecret}`);
    return ep;
  };
  assertEquals(endpoint({}).allowedOutputHosts, ["files.example.test"]);
  assertEquals(
    endpoint({ MY_PROVIDER_OUTPUT_HOSTS: " CDN.test , ,127.0.0.1" }).allowedOutputHosts,
    ["cdn.test", "127.0.0.1"],
  );
  assertEquals(
    isAllowedOutputUrl("https://files.example.test/a.png", endpoint({}).allowedOutputHosts),
    true,
  );
});

Deno.test("isAllowedOutputUrl: an empty or mixed-case allowlist entry neither opens nor closes everything", () => {
  assertEquals(isAllowedOutputUrl("https://evil.test./x.png", [""]), false);
  assertEquals(isAllowedOutputUrl("https://evil.test./x.png", ["", "files.test"]), false);
  assertEquals(isAllowedOutputUrl("https://files.test/x.png", ["Files.Test"]), true);
});
