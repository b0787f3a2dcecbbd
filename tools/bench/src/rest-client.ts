import { Agent, request } from "node:http";

/**
 * A lean REST client for timed requests: `node:http` over kept-alive connections. `fetch` spends
 * 1–2 ms of the client's own CPU per request on this machine (request and abort-signal objects,
 * stream adapters), which a benchmark would count as the node's time; the node under test shares
 * the cores with the client.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface RestResponse {
  readonly status: number;
  readonly text: string;
}

/** Sends `method url` with a JSON body and reads the whole answer. */
export function sendJson(
  method: "POST" | "PUT" | "DELETE",
  url: string,
  body: unknown,
): Promise<RestResponse> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method,
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

/** `POST url` with a JSON body; the parsed JSON answer, or an error naming the status. */
export async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await sendJson("POST", url, body);
  if (response.status < 200 || response.status >= 300)
    throw new Error(`${url} failed: ${response.status} ${response.text}`);
  return JSON.parse(response.text) as unknown;
}
