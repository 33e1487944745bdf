## The public pages: login (/login) and the one-time-link pages (/setup, /invite, /reset).

onboard-brand-mark = 客
onboard-brand = kefu
onboard-language = 语言
onboard-switch-zh = 中文
onboard-switch-en = English
onboard-switch-separator = /
onboard-role-owner = 店主
onboard-role-admin = 管理员
onboard-role-supervisor = 主管
onboard-role-agent = 客服
onboard-offline = 无法连接服务器，请检查网络后重试
onboard-email = 邮箱
onboard-password = 密码

## Login

onboard-login-page-title = 登录 · kefu 客服工作台
onboard-login-heading = 登录客服工作台
onboard-sign-in = 登录
onboard-signing-in = 登录中…
onboard-login-wrong = 邮箱或密码不正确
onboard-login-too-many = 尝试次数过多，请稍后再试
onboard-login-failed = 登录失败（HTTP { $status }）
onboard-login-missing = 请输入邮箱和密码
onboard-demo-accounts = 演示账号
onboard-demo-password = 演示账号，密码均为
onboard-demo-fill = 点击账号可自动填入。
onboard-demo-open = 打开演示店铺
onboard-demo-open-after = 以顾客身份发起咨询。

## Setup, invitation and password reset

onboard-setup-page-title = 开店设置 · kefu
onboard-invite-page-title = 接受邀请 · kefu
onboard-reset-page-title = 重置密码 · kefu
onboard-setup-heading = 创建你的店铺
onboard-invite-heading = 加入客服团队
onboard-reset-heading = 设置新密码
onboard-checking = 正在检查链接…
onboard-problem = 链接无法使用
onboard-to-login = 去登录页
onboard-setup-intro = 第一次使用 kefu：填写店铺信息和店主账号，提交后直接进入后台。
onboard-invite-intro = 设置你的显示名称和密码，即可开始接待顾客。
onboard-reset-intro = 为你的账号设置一个新密码，提交后自动登录。
onboard-shop-name = 店铺名称
onboard-time-zone = 时区
onboard-tz-beijing = 北京时间 (UTC+08:00)
onboard-tz-plus-0900 = UTC+09:00
onboard-tz-plus-0700 = UTC+07:00
onboard-tz-utc = UTC+00:00
onboard-tz-minus-0500 = UTC-05:00
onboard-shop-language = 默认语言
onboard-language-zh = 简体中文
onboard-language-en = English
onboard-owner-email = 店主邮箱（登录用）
onboard-login-email = 登录邮箱
onboard-display-name = 显示名称（同事和顾客看到的名字）
onboard-new-password = 密码（至少 10 位，含两类字符）
onboard-password-again = 再输入一次密码
onboard-submit = 提交
onboard-token_unknown = 链接无效
onboard-token_used = 链接已经用过
onboard-token_expired = 链接已过期
onboard-token_unknown-help = 请确认复制完整，或请管理员重新发送。
onboard-token_used-help = 请直接登录；忘记密码请联系管理员重置。
onboard-token_expired-help = 链接已过期或已撤销，请联系管理员重新发送（首次设置链接请重启服务获取新链接）。
onboard-ask-admin = 请联系店铺管理员重新发送链接。
onboard-invited-as = 你受邀加入「{ $shop }」，角色：{ $role }。
onboard-reset-for = 为「{ $shop }」的账号设置新密码。
onboard-no-token = 链接里缺少 token：请从收到的完整链接打开此页。
onboard-check-offline = 无法连接服务器，请检查网络后刷新重试。
onboard-wrong-page = 这个链接不是用于此页面的，请确认打开的是收到的原链接。
onboard-password-mismatch = 两次输入的密码不一致
onboard-setup-missing = 请填写店铺名称、邮箱和显示名称
onboard-name-missing = 请填写显示名称
onboard-submit-failed = 提交失败（HTTP { $status }）
