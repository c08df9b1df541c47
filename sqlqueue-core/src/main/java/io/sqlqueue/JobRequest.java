package io.sqlqueue;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One job for {@link JobQueue#enqueueAll(java.util.List)}.
 *
 * @param type the job type
 * @param payload the payload, written as JSON
 * @param options how it is enqueued
 */
public record JobRequest(String type, @Nullable Object payload, EnqueueOptions options) {

	public JobRequest {
		JobQueue.validateType(type);
		Objects.requireNonNull(options, "options must not be null");
	}

	/** A request with default options. */
	public static JobRequest of(String type, @Nullable Object payload) {
		return new JobRequest(type, payload, EnqueueOptions.defaults());
	}

	/** A request with {@code options}. */
	public static JobRequest of(String type, @Nullable Object payload, EnqueueOptions options) {
		return new JobRequest(type, payload, options);
	}

}
