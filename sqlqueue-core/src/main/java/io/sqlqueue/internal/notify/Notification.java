package io.sqlqueue.internal.notify;

/**
 * One notification on a job table's channel: the queue that got due jobs and the queue object that sent it.
 * Its payload is the queue name, then a space and the origin (queue names have no spaces); a payload of a
 * queue name alone wakes that queue's workers as well.
 *
 * @param queue the queue that got due jobs
 * @param origin the sending queue object, or {@code null} when the payload names none
 */
public record Notification(String queue, String origin) {

	/** The channel of the tables named with {@code tablePrefix}. */
	public static String channel(String tablePrefix) {
		return tablePrefix + "jobs";
	}

	/** Reads a notification's payload. */
	public static Notification parse(String payload) {
		int space = payload.indexOf(' ');
		return (space < 0) ? new Notification(payload, null)
				: new Notification(payload.substring(0, space), payload.substring(space + 1));
	}

	/** This notification as a payload. */
	public String payload() {
		return (this.origin != null) ? this.queue + " " + this.origin : this.queue;
	}

}
