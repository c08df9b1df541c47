package io.sqlqueue.internal.store;

import java.time.Instant;

import io.sqlqueue.JobGroup;

/**
 * A row of the batch table: a batch or a workflow.
 *
 * @param id its id
 * @param kind batch or workflow
 * @param name its name
 * @param createdAt when it was enqueued
 * @param finishedAt when its last member finished, or {@code null}
 * @param cancelled whether it was cancelled
 */
public record GroupRow(long id, JobGroup.Kind kind, String name, Instant createdAt, Instant finishedAt,
		boolean cancelled) {
}
