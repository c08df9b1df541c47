package io.sqlqueue.sample;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JobQueue;
import io.sqlqueue.WorkflowBuilder.EnqueuedWorkflow;
import io.sqlqueue.sample.ShopJobs.ErpSync;
import io.sqlqueue.sample.ShopJobs.OrderPlaced;
import io.sqlqueue.sample.ShopJobs.PrintLabel;
import io.sqlqueue.sample.ShopJobs.ReviewReminder;
import io.sqlqueue.sample.ShopJobs.ShipOrder;

import static io.sqlqueue.WorkflowBuilder.after;

/**
 * The shop's business logic: orders, the e-mails it sends and the ERP switch. Placing an order writes
 * the order row and enqueues its jobs in one transaction, so an order that fails validation leaves
 * neither a row nor a job behind.
 */
@Service
public class Shop {

	/** Orders above this quantity are out of stock: the transaction rolls back after the enqueue. */
	static final int STOCK = 100;

	private final JdbcClient jdbc;

	private final JobQueue jobs;

	private final Duration reviewReminderDelay;

	private final AtomicBoolean erpOnline = new AtomicBoolean();

	public Shop(JdbcClient jdbc, JobQueue jobs,
			@Value("${sample.review-reminder-delay:PT1M}") Duration reviewReminderDelay) {
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.reviewReminderDelay = reviewReminderDelay;
	}

	/**
	 * Saves an order and enqueues its jobs in the same transaction: the fulfilment workflow, whose steps run one
	 * after the other, and two jobs of their own, the ERP copy and the delayed review reminder.
	 * @throws OutOfStockException after the jobs were enqueued, to show that a rollback removes them too
	 */
	@Transactional
	public PlacedOrder placeOrder(NewOrder order) {
		KeyHolder keys = new GeneratedKeyHolder();
		this.jdbc.sql("INSERT INTO shop_order (customer, item, quantity, express, status) VALUES (?, ?, ?, ?, 'NEW')")
			.params(order.customer(), order.item(), order.quantity(), order.express())
			.update(keys, "id");
		long orderId = keys.getKey().longValue();

		EnqueueOptions confirmOptions = order.express()
				? EnqueueOptions.defaults().withQueue(ShopJobs.EXPRESS_QUEUE).withPriority(10)
				: EnqueueOptions.defaults();
		EnqueuedWorkflow fulfilment = this.jobs.workflow("order #" + orderId)
			.add("confirm", ShopJobs.CONFIRM_ORDER, new OrderPlaced(orderId, order.customer(), order.item(), order.quantity()),
					confirmOptions.withMetadata("customer", order.customer()))
			.add("label", ShopJobs.PRINT_LABEL, new PrintLabel(orderId), after("confirm"))
			.add("ship", ShopJobs.SHIP_ORDER, new ShipOrder(orderId, order.customer()), after("label"))
			.enqueue();
		long erpSync = this.jobs.enqueue(new ErpSync(orderId));
		long reminder = this.jobs.enqueue(new ReviewReminder(orderId, order.customer(), order.item()),
				EnqueueOptions.defaults().withDelay(this.reviewReminderDelay));

		if (order.quantity() > STOCK) {
			throw new OutOfStockException(order.item(), order.quantity());
		}
		return new PlacedOrder(orderId, "NEW", fulfilment.id(), fulfilment.steps().get("confirm"), erpSync, reminder);
	}

	/** The order with {@code id}, if any. */
	public Optional<OrderView> order(long id) {
		return this.jdbc.sql("SELECT id, customer, item, quantity, express, status FROM shop_order WHERE id = ?")
			.param(id)
			.query(OrderView.class)
			.optional();
	}

	/** Orders, newest first. */
	public List<OrderView> orders() {
		return this.jdbc.sql("SELECT id, customer, item, quantity, express, status FROM shop_order ORDER BY id DESC")
			.query(OrderView.class)
			.list();
	}

	void setStatus(long orderId, String status) {
		this.jdbc.sql("UPDATE shop_order SET status = ? WHERE id = ?").params(status, orderId).update();
	}

	/** Records an e-mail as sent (the sample's stand-in for a mail server). */
	void sendEmail(long orderId, String customer, String subject) {
		this.jdbc.sql("INSERT INTO shop_email (order_id, customer, subject) VALUES (?, ?, ?)")
			.params(orderId, customer, subject)
			.update();
	}

	/** The e-mails sent about {@code orderId}, oldest first. */
	public List<String> emails(long orderId) {
		return this.jdbc.sql("SELECT subject FROM shop_email WHERE order_id = ? ORDER BY id")
			.param(orderId)
			.query(String.class)
			.list();
	}

	/** Records a sales report row: how many orders there are. */
	void writeSalesReport() {
		long orders = this.jdbc.sql("SELECT COUNT(*) FROM shop_order").query(Long.class).single();
		this.jdbc.sql("INSERT INTO shop_report (orders) VALUES (?)").param(orders).update();
	}

	/** Sales reports written so far. */
	public long reportCount() {
		return this.jdbc.sql("SELECT COUNT(*) FROM shop_report").query(Long.class).single();
	}

	/** Whether the legacy ERP answers; it starts offline so its jobs fail into the dead letter. */
	public boolean isErpOnline() {
		return this.erpOnline.get();
	}

	/** Switches the legacy ERP on or off. */
	public void setErpOnline(boolean online) {
		this.erpOnline.set(online);
	}

	/** A request to place an order; {@code express} may be left out. */
	public record NewOrder(String customer, String item, int quantity, Boolean express) {

		public NewOrder {
			express = Boolean.TRUE.equals(express);
			if (customer == null || customer.isBlank()) {
				throw new IllegalArgumentException("customer is required");
			}
			if (item == null || item.isBlank()) {
				throw new IllegalArgumentException("item is required");
			}
			if (quantity < 1) {
				throw new IllegalArgumentException("quantity must be at least 1, was " + quantity);
			}
		}

	}

	/**
	 * An order as saved, with the ids of the jobs it enqueued: its fulfilment workflow (confirm, then print the
	 * label, then ship), the workflow's first step, and the jobs outside it.
	 */
	public record PlacedOrder(long id, String status, long workflow, long confirmationJob, long erpSyncJob,
			long reminderJob) {
	}

	/** An order as it stands now. */
	public record OrderView(long id, String customer, String item, int quantity, boolean express, String status) {
	}

	/** Thrown when an order asks for more than the shop has. */
	public static class OutOfStockException extends RuntimeException {

		OutOfStockException(String item, int quantity) {
			super("Only " + STOCK + " of '" + item + "' in stock, " + quantity + " ordered");
		}

	}

}
