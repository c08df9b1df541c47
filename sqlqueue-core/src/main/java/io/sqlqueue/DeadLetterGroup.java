package io.sqlqueue;

/**
 * The DEAD jobs of one queue and type that share the start of their last error, counted over every dead job.
 *
 * <pre>{@code
 * for (DeadLetterGroup group : jobs.deadLetterGroups(20)) {
 *     log.warn("{} dead {} jobs: {}", group.count(), group.type(), group.error());
 * }
 * }</pre>
 *
 * @param queue the queue
 * @param type the job type
 * @param error the first {@value #ERROR_PREFIX} characters of their last error, {@code null} for jobs without one
 * @param count how many dead jobs the group holds
 * @param newestId the id of its newest job
 */
public record DeadLetterGroup(String queue, String type, String error, long count, long newestId) {

	/** How many characters of the last error the jobs of a group share. */
	public static final int ERROR_PREFIX = 300;

}
