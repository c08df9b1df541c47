package io.sqlqueue;

/**
 * How a queue is steered across the cluster: paused or not, and its limits. Stored in the database, so a
 * paused queue stays paused across restarts and for nodes that start later.
 *
 * @param queue the queue
 * @param paused whether no node claims its jobs
 * @param limits its limits
 */
public record QueueControl(String queue, boolean paused, QueueLimits limits) {

	/** A queue nobody has steered: running, without limits. */
	public static QueueControl running(String queue) {
		return new QueueControl(queue, false, QueueLimits.none());
	}

}
