//! Traditional → simplified Chinese for the characters customers actually type.

/// Pairs of (traditional, simplified); the table covers the common shopping and
/// service vocabulary rather than the whole of Unicode, which keeps it small.
const PAIRS: &str = "\
為为麼么與与個个們们來来這这說说時时會会對对後后還还過过頭头現现開开關关發发\
質质貨货買买賣卖價价錢钱單单號号碼码購购訂订換换點点紅红藍蓝綠绿黃黄黑黑\
數数給给讓让從从見见應应當当問问題题沒没覺觉氣气裡里裏里嗎吗吧吧呢呢\
轉转專专業业態态務务東东車车門门長长張张樣样邊边員员寶宝實实擊击辦办\
電电話话網网線线機机燈灯歡欢樂乐愛爱謝谢請请讓让認认識识語语讀读寫写\
盡尽經经紀纪結结給给絲丝紙纸級级組组細细終终絕绝續续總总維维緊紧縮缩\
師师帶带幫帮廣广慶庆應应懷怀態态們们優优傳传債债傷伤價价儀仪億亿兒儿\
內内兩两凍冻劃划動动勞劳區区協协卻却參参雙双發发變变葉叶號号員员嗎吗\
啟启喪丧單单嚴严圍围國国圖图圓圆團团執执壓压夠够夢梦頭头奪夺獎奖婦妇\
媽妈孫孙學学寧宁寬宽將将尋寻對对層层歲岁島岛幣币幹干廠厂廢废廳厅彈弹\
徑径從从復复恥耻悅悦惡恶惱恼愛爱慣惯憑凭戲戏戶户挾挟損损搶抢據据擔担\
擇择擊击攜携敗败敵敌斷断於于時时晝昼暫暂曆历條条來来東东極极槍枪樹树\
機机權权歐欧歷历殘残毀毁氣气決决況况淚泪淨净湯汤滅灭滿满漢汉潔洁濕湿\
熱热爭争爺爷牆墙獨独獲获現现環环產产畫画當当疊叠療疗癢痒發发盤盘眾众\
確确碼码禮礼禍祸穩稳窮穷競竞筆笔築筑簡简糧粮紅红約约級级紀纪純纯紗纱\
納纳紙纸紛纷素素細细紹绍終终組组結结絕绝給给統统絲丝綁绑經经綠绿網网\
綿绵緊紧線线編编緩缓練练縣县總总績绩織织繩绳繼继續续罰罚義义習习聖圣\
聞闻聯联聲声職职聽听肅肃腦脑腳脚膚肤臉脸興兴舉举舊旧艦舰藝艺節节範范\
薦荐處处號号蟲虫補补裝装製制複复規规視视親亲覽览觀观訂订計计討讨訓训\
記记設设許许訴诉註注詞词試试詢询詳详誠诚誤误說说誰谁課课調调談谈請请\
論论諾诺謊谎講讲謝谢證证識识譯译護护讀读變变讓让貝贝負负財财責责販贩\
貨货質质貴贵費费貼贴貿贸資资賓宾賠赔賞赏賬账賺赚購购賽赛贈赠趕赶跡迹\
車车軟软載载輕轻輸输辦办農农這这進进遠远運运過过達达違违遞递適适選选\
遲迟遺遗還还邊边郵邮鄉乡醫医釋释鐘钟鋼钢錄录錢钱錯错鍋锅鏈链鏡镜長长\
門门閃闪閉闭開开閒闲間间閱阅闆板陣阵陰阴陸陆陽阳際际隊队隨随險险隱隐\
雖虽雜杂雞鸡離离難难電电霧雾靈灵靜静響响順顺須须預预頓顿領领頻频題题\
顏颜額额顧顾顯显風风飛飞飯饭飲饮飽饱餐餐館馆馬马駕驾驗验體体髮发鬆松\
魚鱼鳥鸟鹽盐麥麦黨党齊齐齒齿龍龙龜龟襪袜褲裤鞋鞋罩罩碼码寄寄貨货\
";

/// Simplified form of `c`, or `c` itself when it is not in the table.
pub fn to_simplified(c: char) -> char {
    table().binary_search_by_key(&c, |&(t, _)| t).map(|i| table()[i].1).unwrap_or(c)
}

fn table() -> &'static [(char, char)] {
    static TABLE: std::sync::OnceLock<Vec<(char, char)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let chars: Vec<char> = PAIRS.chars().filter(|c| !c.is_whitespace()).collect();
        let mut pairs: Vec<(char, char)> =
            chars.chunks_exact(2).filter(|p| p[0] != p[1]).map(|p| (p[0], p[1])).collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        pairs
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn converts_common_characters() {
        let s: String = "這個價錢還會退貨嗎".chars().map(super::to_simplified).collect();
        assert_eq!(s, "这个价钱还会退货吗");
    }
}
