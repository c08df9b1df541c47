package io.sqlqueue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A batch or a workflow as it stands: its members with their states, and how many are in each state.
 * Read with {@link JobQueue#batch(long)} or {@link JobQueue#workflow(long)}:
 *
 * <pre>{@code
 * JobGroup batch = jobs.batch(batchId).orElseThrow();
 * if (batch.isFinished()) {
 *     log.info("{} succeeded, {} dead", batch.count(JobState.SUCCEEDED), batch.count(JobState.DEAD));
 * }
 * }</pre>
 *
 * @param id the batch's or workflow's id
 * @param kind whether it is a batch or a workflow
 * @param name the name it was given
 * @param createdAt when it was enqueued
 * @param finishedAt when its last member finished (and its callbacks were released), or {@code null}
 * @param cancelled whether it was cancelled with {@link JobQueue#cancelGroup(long)}
 * @param counts how many members are in each state (absent states have none)
 * @param members the members, oldest first, at most {@link #MEMBERS_SHOWN}; a workflow's steps with the steps
 * they wait for
 * @param callbacks the jobs that run when it finishes: WAITING until then, then READY or CANCELLED when their
 * condition does not hold
 */
public record JobGroup(long id, Kind kind, String name, Instant createdAt, @Nullable Instant finishedAt,
		boolean cancelled, Map<JobState, Long> counts, List<Member> members, List<Member> callbacks) {

	/** The most members a {@code JobGroup} lists; {@link #counts()} covers all of them. */
	public static final int MEMBERS_SHOWN = 1000;

	public JobGroup {
		counts = Map.copyOf(counts);
		members = List.copyOf(members);
		callbacks = List.copyOf(callbacks);
	}

	/** A batch of jobs, or a workflow of named steps with dependencies. */
	public enum Kind {

		/** Jobs that run independently, with callbacks when all have finished. */
		BATCH,

		/** Named steps, each running once the steps it depends on have succeeded. */
		WORKFLOW

	}

	/**
	 * One member or callback.
	 *
	 * @param jobId the job's id
	 * @param step the step's name in a workflow, or for a callback when it runs ({@code onComplete},
	 * {@code onSuccess}, {@code onFailure}); {@code null} for a batch's member
	 * @param type the job type
	 * @param state its state
	 * @param after the steps it depends on, in a workflow
	 * @param lastError its last error, or {@code null}
	 */
	public record Member(long jobId, @Nullable String step, String type, JobState state, List<String> after,
			@Nullable String lastError) {

		public Member {
			after = List.copyOf(after);
		}

	}

	/** How many members are in {@code state}. */
	public long count(JobState state) {
		return this.counts.getOrDefault(state, 0L);
	}

	/** How many members it has. */
	public long total() {
		return this.counts.values().stream().mapToLong(Long::longValue).sum();
	}

	/** Whether every member has finished (SUCCEEDED, DEAD or CANCELLED). */
	public boolean isFinished() {
		return this.finishedAt != null;
	}

	/** Whether every member succeeded; {@code false} while some have not finished. */
	public boolean succeeded() {
		return isFinished() && count(JobState.SUCCEEDED) == total();
	}

}
