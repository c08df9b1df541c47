package io.sqlqueue;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.WorkflowBuilder.Callback;

/**
 * A batch being put together: jobs that run independently, and callbacks that run once, when every one of them
 * has finished, across the whole cluster. {@link #enqueue()} writes the batch in one transaction (the caller's,
 * when there is one); more members can be added while it runs with {@link JobQueue#addToBatch(long, List)} or,
 * from inside a member, {@link JobContext#addToBatch(String, Object, EnqueueOptions)}.
 *
 * <pre>{@code
 * long batchId = jobs.batch("import " + file)
 *     .addAll(rows.stream().map((row) -> JobRequest.of("import-row", row)).toList())
 *     .onSuccess("import-done", new ImportDone(file))
 *     .onFailure("import-failed", new ImportFailed(file))
 *     .enqueue()
 *     .id();
 * }</pre>
 *
 * <p>A callback reads how many members succeeded, died or were cancelled with {@link JobContext#batch()}.
 */
public final class BatchBuilder {

	private final JobGroups groups;

	private final String name;

	private final List<JobRequest> jobs = new ArrayList<>();

	private final List<Callback> callbacks = new ArrayList<>();

	BatchBuilder(JobGroups groups, String name) {
		this.groups = groups;
		this.name = JobGroups.validateName(name, "batch");
	}

	/** Adds a job of {@code type} with default options. */
	public BatchBuilder add(String type, @Nullable Object payload) {
		return add(JobRequest.of(type, payload));
	}

	/** Adds a job of {@code type} enqueued with {@code options}. */
	public BatchBuilder add(String type, @Nullable Object payload, EnqueueOptions options) {
		return add(JobRequest.of(type, payload, options));
	}

	/**
	 * Adds {@code request}.
	 * @throws IllegalArgumentException when it has a unique key: a member is always enqueued with its batch
	 */
	public BatchBuilder add(JobRequest request) {
		this.jobs.add(JobGroups.checkMember(request));
		return this;
	}

	/** Adds {@code requests}. */
	public BatchBuilder addAll(List<JobRequest> requests) {
		requests.forEach(this::add);
		return this;
	}

	/** Runs a job of {@code type} once every member has finished, whatever their outcome. */
	public BatchBuilder onComplete(String type, @Nullable Object payload) {
		return onComplete(JobRequest.of(type, payload));
	}

	/** As {@link #onComplete(String, Object)}, the callback enqueued with its request's options (its queue, priority...). */
	public BatchBuilder onComplete(JobRequest callback) {
		this.callbacks.add(new Callback(JobGroups.ON_COMPLETE, java.util.Objects.requireNonNull(callback, "callback must not be null")));
		return this;
	}

	/** Runs a job of {@code type} once every member has succeeded. */
	public BatchBuilder onSuccess(String type, @Nullable Object payload) {
		return onSuccess(JobRequest.of(type, payload));
	}

	/** As {@link #onSuccess(String, Object)}, the callback enqueued with its request's options (its queue, priority...). */
	public BatchBuilder onSuccess(JobRequest callback) {
		this.callbacks.add(new Callback(JobGroups.ON_SUCCESS, java.util.Objects.requireNonNull(callback, "callback must not be null")));
		return this;
	}

	/** Runs a job of {@code type} once every member has finished, if one died or was cancelled. */
	public BatchBuilder onFailure(String type, @Nullable Object payload) {
		return onFailure(JobRequest.of(type, payload));
	}

	/** As {@link #onFailure(String, Object)}, the callback enqueued with its request's options (its queue, priority...). */
	public BatchBuilder onFailure(JobRequest callback) {
		this.callbacks.add(new Callback(JobGroups.ON_FAILURE, java.util.Objects.requireNonNull(callback, "callback must not be null")));
		return this;
	}

	/** The batch's name. */
	public String name() {
		return this.name;
	}

	/** The members added so far. */
	public List<JobRequest> jobs() {
		return List.copyOf(this.jobs);
	}

	/** The callbacks added so far. */
	public List<Callback> callbacks() {
		return List.copyOf(this.callbacks);
	}

	/**
	 * Enqueues the members and callbacks in one transaction.
	 * @throws IllegalArgumentException when the batch has no member
	 */
	public EnqueuedBatch enqueue() {
		return this.groups.enqueue(this);
	}

	/**
	 * What {@link #enqueue()} wrote.
	 *
	 * @param id the batch's id, for {@link JobQueue#batch(long)}
	 * @param jobIds the members' ids, in the order they were added
	 */
	public record EnqueuedBatch(long id, List<Long> jobIds) {

		public EnqueuedBatch {
			jobIds = List.copyOf(jobIds);
		}

	}

}
