"""What the customer-facing steps (linking, orders, opt-out) say, in uk/ru/en."""

from __future__ import annotations

from decimal import Decimal

from bots.inbound import FlowContext
from bots.steps.language import shopper_language

TEXTS: dict[str, dict[str, str]] = {
    "phone_verified": {
        "uk": "Дякуємо, ваш номер {phone} підтверджено.",
        "ru": "Спасибо, ваш номер {phone} подтверждён.",
        "en": "Thank you, your number {phone} is confirmed.",
    },
    "phone_unreadable": {
        "uk": "Не вдалося прочитати номер. Натисніть кнопку, щоб поділитися своїм номером.",
        "ru": "Не удалось прочитать номер. Нажмите кнопку, чтобы поделиться своим номером.",
        "en": "We could not read that number. Please use the button to share your own number.",
    },
    "phone_on_several_accounts": {
        "uk": "Цей номер вказано в кількох облікових записах магазину, тож ми не можемо самі визначити, які "
              "замовлення ваші. Відкрийте особисте посилання з листа магазину або напишіть «оператор», і вам "
              "допоможе людина.",
        "ru": "Этот номер указан в нескольких учётных записях магазина, поэтому мы не можем сами определить, какие "
              "заказы ваши. Откройте личную ссылку из письма магазина или напишите «оператор», и вам поможет "
              "человек.",
        "en": "This number is on more than one account at our shop, so we cannot tell which orders are yours. "
              "Open the personal link from the shop's e-mail, or write \"agent\" and a person will help you.",
    },
    "not_own_contact": {
        "uk": "Будь ласка, поділіться саме своїм номером кнопкою нижче.",
        "ru": "Пожалуйста, поделитесь именно своим номером кнопкой ниже.",
        "en": "Please share your own number with the button below.",
    },
    "account_linked": {
        "uk": "Готово! Ваш месенджер привʼязано до облікового запису в магазині.",
        "ru": "Готово! Ваш мессенджер привязан к учётной записи в магазине.",
        "en": "Done! Your messenger is now linked to your shop account.",
    },
    "link_refused": {
        "uk": "Це посилання належить іншому обліковому запису, тому ми його не використали.",
        "ru": "Эта ссылка принадлежит другой учётной записи, поэтому мы её не использовали.",
        "en": "This link belongs to another account, so we did not use it.",
    },
    "link_used": {
        "uk": "Це посилання вже використано в іншому акаунті. Попросіть у магазину нове або поділіться номером "
              "телефону, щоб ми вас впізнали.",
        "ru": "Эта ссылка уже использована в другом аккаунте. Попросите у магазина новую или поделитесь номером "
              "телефона, чтобы мы вас узнали.",
        "en": "This link has already been used by another account. Ask the shop for a new one, or share your "
              "phone number so we can recognise you.",
    },
    "link_invalid": {
        "uk": "Посилання застаріло або пошкоджене. Поділіться номером телефону, щоб ми вас впізнали.",
        "ru": "Ссылка устарела или повреждена. Поделитесь номером телефона, чтобы мы вас узнали.",
        "en": "This link has expired or is damaged. Share your phone number so we can recognise you.",
    },
    "ask_identity": {
        "uk": "Щоб показати ваше замовлення, поділіться номером телефону кнопкою нижче "
              "або надішліть номер замовлення разом із телефоном, на який його оформлено.",
        "ru": "Чтобы показать ваш заказ, поделитесь номером телефона кнопкой ниже "
              "или отправьте номер заказа вместе с телефоном, на который он оформлен.",
        "en": "To show your order, share your phone number with the button below, "
              "or send the order number together with the phone number it was placed with.",
    },
    "ask_identity_no_phone_button": {
        "uk": "Щоб показати ваше замовлення, надішліть номер замовлення разом із телефоном, на який його оформлено.",
        "ru": "Чтобы показать ваш заказ, отправьте номер заказа вместе с телефоном, на который он оформлен.",
        "en": "To show your order, send the order number together with the phone number it was placed with.",
    },
    # The shopper sent one piece of the number + phone pair (bots.steps.order_pieces); the reply names no
    # order, so it says nothing about whether the number or the phone exists.
    "ask_order_phone": {
        "uk": "Дякуємо! Тепер надішліть номер телефону, на який оформлено замовлення, "
              "або поділіться своїм номером кнопкою нижче.",
        "ru": "Спасибо! Теперь отправьте номер телефона, на который оформлен заказ, "
              "или поделитесь своим номером кнопкой ниже.",
        "en": "Thank you! Now send the phone number the order was placed with, "
              "or share your number with the button below.",
    },
    "ask_order_phone_no_phone_button": {
        "uk": "Дякуємо! Тепер надішліть номер телефону, на який оформлено замовлення.",
        "ru": "Спасибо! Теперь отправьте номер телефона, на который оформлен заказ.",
        "en": "Thank you! Now send the phone number the order was placed with.",
    },
    "ask_order_number": {
        "uk": "Дякуємо! Тепер надішліть номер замовлення, оформленого на цей телефон, "
              "або поділіться своїм номером кнопкою нижче.",
        "ru": "Спасибо! Теперь отправьте номер заказа, оформленного на этот телефон, "
              "или поделитесь своим номером кнопкой ниже.",
        "en": "Thank you! Now send the number of the order placed with this phone, "
              "or share your number with the button below.",
    },
    "ask_order_number_no_phone_button": {
        "uk": "Дякуємо! Тепер надішліть номер замовлення, оформленого на цей телефон.",
        "ru": "Спасибо! Теперь отправьте номер заказа, оформленного на этот телефон.",
        "en": "Thank you! Now send the number of the order placed with this phone.",
    },
    "share_phone_button": {"uk": "Поділитися номером", "ru": "Поделиться номером", "en": "Share my number"},
    # An identified shopper's order number that is not theirs: the reply keeps the number, and the phone
    # it was placed with, sent next, proves it (bots.steps.orders).
    "order_not_on_account": {
        "uk": "Не знайшли замовлення {number} у вашому обліковому записі. Якщо його оформлено на інший "
              "телефон, надішліть цей номер телефону.",
        "ru": "Не нашли заказ {number} в вашей учётной записи. Если он оформлен на другой телефон, "
              "отправьте этот номер телефона.",
        "en": "We could not find order {number} on your account. If it was placed with another phone, "
              "send that phone number.",
    },
    "order_not_matched": {
        "uk": "Не знайшли замовлення з таким номером і телефоном. Перевірте дані або поділіться номером кнопкою.",
        "ru": "Не нашли заказ с таким номером и телефоном. Проверьте данные или поделитесь номером кнопкой.",
        "en": "We found no order with that number and phone. Check them, or share your number with the button.",
    },
    "order_not_matched_no_phone_button": {
        "uk": "Не знайшли замовлення з таким номером і телефоном. Перевірте дані.",
        "ru": "Не нашли заказ с таким номером и телефоном. Проверьте данные.",
        "en": "We found no order with that number and phone. Please check them.",
    },
    "too_many_attempts_no_phone_button": {
        "uk": "Забагато спроб. Спробуйте пізніше або напишіть у Telegram чи Viber.",
        "ru": "Слишком много попыток. Попробуйте позже или напишите в Telegram или Viber.",
        "en": "Too many attempts. Please try again later, or write to us on Telegram or Viber.",
    },
    "too_many_attempts": {
        "uk": "Забагато спроб. Поділіться номером телефону кнопкою нижче, щоб ми вас впізнали.",
        "ru": "Слишком много попыток. Поделитесь номером телефона кнопкой ниже, чтобы мы вас узнали.",
        "en": "Too many attempts. Share your phone number with the button below so we can recognise you.",
    },
    "no_orders": {
        "uk": "Ми не знайшли замовлень у вашому обліковому записі.",
        "ru": "Мы не нашли заказов в вашей учётной записи.",
        "en": "We found no orders on your account.",
    },
    "which_order": {
        "uk": "Ваші останні замовлення. Оберіть, про яке розповісти:",
        "ru": "Ваши последние заказы. Выберите, о каком рассказать:",
        "en": "Your recent orders. Which one would you like to know about?",
    },
    "order_status": {
        "uk": "Замовлення №{number} від {date}: {status}. Сума: {total}.",
        "ru": "Заказ №{number} от {date}: {status}. Сумма: {total}.",
        "en": "Order #{number} of {date}: {status}. Total: {total}.",
    },
    "order_tracking": {
        "uk": "Номер для відстеження: {tracking}.",
        "ru": "Номер для отслеживания: {tracking}.",
        "en": "Tracking number: {tracking}.",
    },
    "opted_out": {
        "uk": "Ви більше не отримуватимете рекламних повідомлень. Повідомлення про замовлення надходитимуть і далі.",
        "ru": "Вы больше не будете получать рекламные сообщения. Сообщения о заказах будут приходить и дальше.",
        "en": "You will get no more promotional messages. Order updates will still reach you.",
    },
    "opted_in": {
        "uk": "Ви знову отримуватимете наші пропозиції.",
        "ru": "Вы снова будете получать наши предложения.",
        "en": "You will get our offers again.",
    },
}

ORDER_STATUSES: dict[str, dict[str, str]] = {
    "new": {"uk": "нове", "ru": "новый", "en": "new"},
    "pending": {"uk": "очікує обробки", "ru": "ожидает обработки", "en": "pending"},
    "processing": {"uk": "обробляється", "ru": "обрабатывается", "en": "processing"},
    "paid": {"uk": "оплачено", "ru": "оплачен", "en": "paid"},
    "shipped": {"uk": "відправлено", "ru": "отправлен", "en": "shipped"},
    "delivered": {"uk": "доставлено", "ru": "доставлен", "en": "delivered"},
    "ready_for_pickup": {"uk": "чекає у пункті видачі", "ru": "ждёт в пункте выдачи", "en": "ready for pickup"},
    "completed": {"uk": "виконано", "ru": "выполнен", "en": "completed"},
    "cancelled": {"uk": "скасовано", "ru": "отменён", "en": "cancelled"},
    "returned": {"uk": "повернено", "ru": "возвращён", "en": "returned"},
}


def text(ctx: FlowContext, key: str, **values: object) -> str:
    """The text ``key`` in the shopper's language with ``values`` filled in."""
    return TEXTS[key][shopper_language(ctx)].format(**values)


# How shoppers read a currency in their language; other codes stay as they are.
CURRENCY_NAMES = {"UAH": {"uk": "грн", "ru": "грн", "en": "UAH"}}


def amount_text(amount: Decimal, currency: str, language: str) -> str:
    """An amount as the shopper writes it: "2 450 грн" and "1 290,50 грн" in uk/ru, "2,450 UAH" in en.

    Cents show only when there are some; the thousands are grouped with a no-break space (a comma in
    English), so the sum never breaks over two lines in a messenger.
    """
    value = Decimal(amount).quantize(Decimal("0.01"))
    digits = f"{value:,.2f}".removesuffix(".00")
    if language != "en":
        digits = digits.replace(",", "\u00a0").replace(".", ",")
    return f"{digits}\u00a0{CURRENCY_NAMES.get(currency, {}).get(language, currency)}"


def status_label(status: str, language: str) -> str:
    """An order status in words; statuses the shop invented are shown as they are."""
    return ORDER_STATUSES.get(status.lower(), {}).get(language, status)
