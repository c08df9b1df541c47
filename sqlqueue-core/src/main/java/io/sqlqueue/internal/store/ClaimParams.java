package io.sqlqueue.internal.store;

import java.time.Duration;

/**
 * What a claim asks for.
 *
 * @param queue the queue to claim from
 * @param limit the most jobs to claim
 * @param lease how long the claimed jobs stay owned without a heartbeat (database clock)
 * @param workerId stored in {@code locked_by}
 */
public record ClaimParams(String queue, int limit, Duration lease, String workerId) {
}
