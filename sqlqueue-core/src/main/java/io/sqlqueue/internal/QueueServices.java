package io.sqlqueue.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobTypeRegistry;
import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.internal.notify.NotificationSender;
import io.sqlqueue.internal.store.JdbcJobStore;

/**
 * What a queue object is made of, shared with the workers built on it: the store, the codec, the type
 * registry, the interceptors and listeners, the in-process wake-ups and, on PostgreSQL, the notification
 * sender. Not API.
 */
public final class QueueServices {

	private final JdbcJobStore store;

	private final PayloadCodec codec;

	private final JobTypeRegistry types;

	private final List<JobInterceptor> interceptors;

	private final List<JobEventListener> listeners = new CopyOnWriteArrayList<>();

	private final CompositeListener events = new CompositeListener(this.listeners);

	private final Wakeups wakeups = new Wakeups();

	private final NotificationSender notifications;

	private final int maxPayloadBytes;

	private final Enqueuer enqueuer;

	private final Groups groups;

	/**
	 * @param notify whether enqueue sends PostgreSQL notifications (ignored where the database has none)
	 */
	public QueueServices(JdbcJobStore store, PayloadCodec codec, JobTypeRegistry types, List<JobInterceptor> interceptors,
			List<JobEventListener> listeners, int maxPayloadBytes, boolean notify) {
		this.store = store;
		this.codec = codec;
		this.types = types;
		this.interceptors = List.copyOf(interceptors);
		this.listeners.addAll(listeners);
		this.maxPayloadBytes = maxPayloadBytes;
		this.notifications = (notify && store.vendor().notifies()) ? new NotificationSender(store) : null;
		this.enqueuer = new Enqueuer(this);
		this.groups = new Groups(this);
		// steps and callbacks a group releases wake the workers of their queues once the release commits
		store.groups().onReady(this.enqueuer::wakeWhenCommitted);
	}

	public JdbcJobStore store() {
		return this.store;
	}

	public PayloadCodec codec() {
		return this.codec;
	}

	public JobTypeRegistry types() {
		return this.types;
	}

	/** The interceptors, outermost first. */
	public List<JobInterceptor> interceptors() {
		return this.interceptors;
	}

	/** Every listener as one, which never throws. */
	public JobEventListener events() {
		return this.events;
	}

	/** Adds a listener of the events of this node. */
	public void addListener(JobEventListener listener) {
		this.listeners.add(listener);
	}

	public Wakeups wakeups() {
		return this.wakeups;
	}

	/** The sender of PostgreSQL notifications, or {@code null} where they are off or not supported. */
	public NotificationSender notifications() {
		return this.notifications;
	}

	/**
	 * The origin this queue object's notifications carry, or {@code null} without notifications: a worker on
	 * this queue object is woken directly by its enqueues and ignores notifications with this origin.
	 */
	public String notificationOrigin() {
		return (this.notifications != null) ? this.notifications.origin() : null;
	}

	public int maxPayloadBytes() {
		return this.maxPayloadBytes;
	}

	/** Batches and workflows. */
	public Groups groups() {
		return this.groups;
	}

	public Enqueuer enqueuer() {
		return this.enqueuer;
	}

	/** Sends the notifications still pending, waiting at most {@code timeout}, and stops the sender's thread. */
	public void close(Duration timeout) {
		if (this.notifications != null) {
			this.notifications.close(timeout);
		}
	}

}
