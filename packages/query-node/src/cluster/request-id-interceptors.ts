import type { Interceptor } from "@connectrpc/connect";
import { REQUEST_ID_HEADER } from "../observability/instrument-handler.js";
import { currentRequest, newRequestContext, runInRequest } from "../observability/request-context.js";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Query node side: sends the id of the API request being served with each call to a worker. */
export function createRequestIdForwarder(): Interceptor {
  return (next) => (request) => {
    const served = currentRequest();
    if (served) request.header.set(REQUEST_ID_HEADER, served.id);
    return next(request);
  };
}

/**
 * Worker side: serves a call that carries a request id as part of that request, so every line the
 * worker logs meanwhile has the same `request_id` as the query node's lines.
 */
export function createRequestIdReceiver(): Interceptor {
  return (next) => (request) => {
    const id = request.header.get(REQUEST_ID_HEADER);
    if (id === null || !SANE_ID.test(id)) return next(request);
    const procedure = `${request.service.typeName}/${request.method.name}`;
    return runInRequest(newRequestContext(id, procedure), () => next(request));
  };
}
