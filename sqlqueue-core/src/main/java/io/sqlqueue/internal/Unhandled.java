package io.sqlqueue.internal;

import java.time.Duration;
import java.util.List;

import io.sqlqueue.NodeStatus;
import io.sqlqueue.UnhandledJobs;
import io.sqlqueue.internal.store.JobStore;

/** Finds the due jobs that no running node can run: their type has no handler on any live node of their queue. */
public final class Unhandled {

	private Unhandled() {
	}

	/** Due jobs waiting longer than {@code longerThan} that no live node working their queue has a handler for. */
	public static List<UnhandledJobs> find(JobStore store, Duration longerThan) {
		List<NodeStatus> alive = NodeInfo.readAll(store.nodeList()).stream().filter(NodeStatus::alive).toList();
		return store.jobCountDueByType(longerThan)
			.stream()
			.filter((due) -> alive.stream()
				.noneMatch((node) -> node.queues().containsKey(due.queue()) && node.jobTypes().contains(due.type())))
			.map((due) -> new UnhandledJobs(due.queue(), due.type(), due.jobs(), due.oldestWaiting()))
			.toList();
	}

}
