# Lines kefu itself sends to customers (widget, email, platform DMs), in the customer's
# language: queue places, the hand-off, ratings, tickets, the bot's built-in phrases, pre-chat
# problems and email reply wrappers. A shop's own wording (its questions, the joined line it
# wrote, FAQ answers) is sent as the shop wrote it.

## Waiting for a person
customer-queue-next = 已在为您转接人工客服，您是下一位，预计等待约 { $minutes } 分钟，请稍候。
customer-queue-ahead = 已在为您转接人工客服，您前面还有 { $ahead } 位，预计等待约 { $minutes } 分钟，请稍候。
customer-queue-unknown = 已在为您转接人工客服，请稍候，客服接入后会第一时间回复您。
# The default "a person joined" line (a shop may write its own on the shop page).
customer-agent-joined = 客服{ $name }为您服务

## Rating the service
customer-rating-question = 亲，本次服务已结束。请为我们的服务打分
# $ended is "yes" when the shop's question already ends with punctuation.
customer-rating-invitation = { $ended ->
        [yes] { $question }
       *[no] { $question }：
    }回复 1-{ $scale }（{ $scale } 分最满意），也欢迎留下您的意见～
customer-rating-thanks = 感谢您的评价！您的意见会帮助我们做得更好。

# The customer's message that carries a star rating (the widget's stars).
customer-rating-stars = { $stars } 分
customer-rating-with-comment = { $rated }：{ $comment }

## Tickets
customer-ticket-created = 已为您创建工单 #{ $number }「{ $title }」，我们会尽快处理，处理进展会在这里通知您。
customer-ticket-awaiting = 您的工单 #{ $number }「{ $title }」已处理完毕。请回复「1」确认已解决，回复「2」表示仍未解决。
customer-ticket-closed = 感谢您的确认，工单 #{ $number } 已关闭。
customer-ticket-progress = 您的工单 #{ $number } 进展：{ $status }。
customer-ticket-reply = 工单 #{ $number } 回复：{ $body }
customer-ticket-reopened = 抱歉问题还没有解决，工单 #{ $number } 已重新处理，我们会尽快给您答复。

## The bot's built-in phrases (a shop may write its own per language)
customer-bot-fallback = 抱歉，我还没理解您的问题，可以换个说法吗？也可以回复“人工”联系客服。
customer-bot-suggest = 您是想问：
customer-bot-handing-off = 正在为您转接人工客服，请稍候。
# $flow is the flow's name.
customer-bot-offer-return = 了解您刚才咨询的{ $flow }问题，还需要继续吗？回复“继续”即可。
customer-bot-no-data = 抱歉，暂时查不到相关信息，您可以回复“人工”咨询客服。
# What an FAQ's extras look like in a plain-text reply.
customer-extra-image = [图片] { $url }
customer-extra-product = [商品] { $name } { $price }
customer-extra-link = [链接] { $title } { $url }
customer-extra-coupon = [优惠券] { $code }

## The widget's pre-chat form
customer-prechat-refused = 请先填写咨询前信息：{ $problem }
customer-prechat-required = 请填写此项
customer-prechat-name = 称呼最多 40 个字
customer-prechat-phone = 请填写 11 位手机号
customer-prechat-email = 邮箱格式不对
customer-prechat-order = 订单号只含字母、数字、- 或 _，最多 64 位

## Email replies
# The subject of a reply when the customer's email had none (or an agent wrote first).
customer-email-subject = 客服回复

# The name a widget visitor has until they give one.
customer-default_name-widget = 网页访客
