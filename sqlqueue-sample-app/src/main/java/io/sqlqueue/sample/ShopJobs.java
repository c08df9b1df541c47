package io.sqlqueue.sample;

/** The payloads of the shop's jobs: plain records, stored as JSON and bound back by type. */
public final class ShopJobs {

	/** Job type: an order was placed; confirm it to the customer. */
	public static final String CONFIRM_ORDER = "confirm-order";

	/** Job type: print the order's shipping label (the order workflow's step after the confirmation). */
	public static final String PRINT_LABEL = "print-label";

	/** Job type: hand the order to the carrier with its label (the order workflow's last step). */
	public static final String SHIP_ORDER = "ship-order";

	/** Job type: copy the order to the legacy ERP. */
	public static final String SYNC_ERP = "sync-erp";

	/** Job type: ask the customer for a review some time after the order. */
	public static final String REVIEW_REMINDER = "review-reminder";

	/** Job type: the recurring sales report. */
	public static final String SALES_REPORT = "sales-report";

	/** The queue of express orders, worked with its own concurrency and ahead of the rest. */
	public static final String EXPRESS_QUEUE = "express";

	private ShopJobs() {
	}

	/** Payload of {@value #CONFIRM_ORDER}. */
	public record OrderPlaced(long orderId, String customer, String item, int quantity) {
	}

	/** Payload of {@value #PRINT_LABEL}. */
	public record PrintLabel(long orderId) {
	}

	/** The result of {@value #PRINT_LABEL}, which {@value #SHIP_ORDER} reads. */
	public record Label(String code) {
	}

	/** Payload of {@value #SHIP_ORDER}. */
	public record ShipOrder(long orderId, String customer) {
	}

	/** Payload of {@value #SYNC_ERP}. */
	public record ErpSync(long orderId) {
	}

	/** Payload of {@value #REVIEW_REMINDER}. */
	public record ReviewReminder(long orderId, String customer, String item) {
	}

}
