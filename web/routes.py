"""Every route handler and controller of the app, joined in one place."""

from web.api import auth, customers, notifications, system

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
    customers.get_customer, customers.put_customer, customers.put_order, customers.get_link,
    customers.merge_customer, customers.unmerge_customer, customers.export, customers.erase,
    notifications.create_notification, notifications.get_notification,
]
