package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.NodeStatus.QueueSlots;
import io.sqlqueue.internal.NodeInfo;

/**
 * This node's row in the node table: written at start and at every node heartbeat with what the node runs,
 * deleted when it stops gracefully. A node silent for {@link #MISSED_HEARTBEATS} heartbeats counts as dead.
 */
final class NodePresence {

	private static final Logger logger = LoggerFactory.getLogger(NodePresence.class);

	/** Heartbeats a node may miss before it counts as dead. */
	static final int MISSED_HEARTBEATS = 3;

	private final WorkerNode node;

	private final Duration expiresIn;

	/** Whether the last heartbeat failed: one warning for a run of failures. */
	private boolean failing;

	NodePresence(WorkerNode node, Duration heartbeat) {
		this.node = node;
		this.expiresIn = heartbeat.multipliedBy(MISSED_HEARTBEATS);
	}

	/** Records that this node is alive, with its queues' slots and its job types. */
	void heartbeat() {
		Map<String, QueueSlots> queues = new LinkedHashMap<>();
		this.node.runners().forEach((name, runner) -> queues.put(name,
				new QueueSlots(runner.settings().concurrency(), runner.busy())));
		try {
			this.node.store().nodeHeartbeat(this.node.workerId(), NodeInfo.write(queues, this.node.handledTypes()),
					this.expiresIn);
			this.node.health().success();
			this.failing = false;
		}
		catch (RuntimeException ex) {
			this.node.health().failure(ex);
			if (!this.failing) {
				logger.warn("sqlqueue node {} could not record that it is alive; unless it can within {}, the maintenance"
						+ " leader gives its running jobs to other nodes: {}", this.node.workerId(), this.expiresIn,
						ex.getMessage());
			}
			this.failing = true;
		}
	}

	/** Removes this node's row: it stopped, and its jobs were finished or given back. */
	void leave() {
		try {
			this.node.store().nodeDelete(this.node.workerId());
		}
		catch (RuntimeException ex) {
			logger.debug("sqlqueue node {} could not remove its row; it lapses by itself: {}", this.node.workerId(),
					ex.getMessage());
		}
	}

}
