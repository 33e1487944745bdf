# Lines kefu itself sends to customers (widget, email, platform DMs), in the customer's
# language: queue places, the hand-off, ratings, tickets, the bot's built-in phrases, pre-chat
# problems and email reply wrappers. A shop's own wording (its questions, the joined line it
# wrote, FAQ answers) is sent as the shop wrote it.

## Waiting for a person
customer-queue-next = You're next in line for an agent. Expected wait: about { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }. Thanks for your patience.
customer-queue-ahead = We're connecting you to an agent. { $ahead ->
        [one] { $ahead } person is
       *[other] { $ahead } people are
    } ahead of you; expected wait: about { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }. Thanks for your patience.
customer-queue-unknown = We're connecting you to an agent. Please hold on; they'll reply as soon as they join.
# The default "a person joined" line (a shop may write its own on the shop page).
customer-agent-joined = { $name } is here to help you.

## Rating the service
customer-rating-question = This conversation has ended. How would you rate our service?
# $ended is "yes" when the shop's question already ends with punctuation.
customer-rating-invitation = { $ended ->
        [yes] { $question }
       *[no] { $question }:
    } Reply with a number from 1 to { $scale } ({ $scale } is best). Comments are welcome too.
customer-rating-thanks = Thanks for your rating! Your feedback helps us do better.

# The customer's message that carries a star rating (the widget's stars).
customer-rating-stars = { $stars ->
        [one] { $stars } star
       *[other] { $stars } stars
    }
customer-rating-with-comment = { $rated }: { $comment }

## Tickets
customer-ticket-created = We've opened ticket #{ $number } "{ $title }" for you. We'll look into it soon and keep you posted here.
customer-ticket-awaiting = Ticket #{ $number } "{ $title }" has been handled. Reply 1 if it's solved, or 2 if it isn't.
customer-ticket-closed = Thanks for confirming. Ticket #{ $number } is now closed.
customer-ticket-progress = Update on ticket #{ $number }: { $status }.
customer-ticket-reply = Reply on ticket #{ $number }: { $body }
customer-ticket-reopened = Sorry it isn't solved yet. We've reopened ticket #{ $number } and will get back to you soon.

## The bot's built-in phrases (a shop may write its own per language)
customer-bot-fallback = Sorry, I didn't catch that. Could you put it another way? You can also reply "agent" to reach a person.
customer-bot-suggest = Did you mean:
customer-bot-handing-off = Connecting you to a customer service agent, one moment please.
# $flow is the flow's name.
customer-bot-offer-return = Shall we go back to your question about { $flow }? Reply "continue".
customer-bot-no-data = Sorry, I can't find that information right now. Reply "agent" to ask a person.
# What an FAQ's extras look like in a plain-text reply.
customer-extra-image = [Image] { $url }
customer-extra-product = [Product] { $name } { $price }
customer-extra-link = [Link] { $title } { $url }
customer-extra-coupon = [Coupon] { $code }

## The widget's pre-chat form
customer-prechat-refused = Please fill in the form before chatting: { $problem }
customer-prechat-required = This field is required
customer-prechat-name = Your name can be up to 40 characters
customer-prechat-phone = Enter an 11-digit mobile number
customer-prechat-email = That email address doesn't look right
customer-prechat-order = Order numbers use letters, digits, - or _ (up to 64)

## Email replies
# The subject of a reply when the customer's email had none (or an agent wrote first).
customer-email-subject = Reply from customer service

# The name a widget visitor has until they give one.
customer-default_name-widget = Web visitor
