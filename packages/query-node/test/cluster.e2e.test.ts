import { after, before, describe } from "node:test";
import { redisTestSkip } from "@miniodb/metadata/testing";
import { idempotencyCases } from "./cluster/idempotency-cases.js";
import { leaseCases } from "./cluster/leases-cases.js";
import { membershipCases } from "./cluster/membership-cases.js";
import { mutationCases } from "./cluster/mutations-cases.js";
import { observabilityCases } from "./cluster/observability-cases.js";
import { queryNodeCases } from "./cluster/query-nodes-cases.js";
import { routingCases } from "./cluster/routing-cases.js";
import { TestCluster } from "./support/test-cluster.js";

/**
 * One cluster of separate processes for every case, in this order (each case builds on the
 * state the earlier ones left): query nodes q1 and q2 and workers w1 and w2 on real Redis and two
 * S3 servers, then a third worker joining and workers leaving and crashing while clients write.
 * Every answer must be exactly what one node holding the same rows gives.
 */
describe(
  "a cluster of query nodes and worker nodes",
  { skip: redisTestSkip(Boolean(process.env["CI"])) },
  () => {
    const cluster = new TestCluster();
    before(() => cluster.start());
    after(() => cluster.stop());
    routingCases(cluster);
    observabilityCases(cluster);
    queryNodeCases(cluster);
    idempotencyCases(cluster);
    mutationCases(cluster);
    leaseCases(cluster);
    membershipCases(cluster);
  },
);
