import { assertEquals } from "../../tests/support/assert.ts";
import { clientIp } from "./audit.ts";

Deno.test("clientIp takes the first x-forwarded-for hop when it is an address, else null", () => {
  const ip = (value?: string) =>
    clientIp(new Headers(value === undefined ? {} : { "x-forwarded-for": value }));
  assertEquals(ip(), null);
  assertEquals(ip(""), null);
  assertEquals(ip("203.0.113.5, 10.0.0.1"), "203.0.113.5");
  assertEquals(ip("2001:db8::1"), "2001:db8::1");
  assertEquals(ip("not-an-ip, 10.0.0.1"), null);
  assertEquals(ip("203.0.113.5x"), null);
});
